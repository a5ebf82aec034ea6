package dev.netkit.core.ip;

import dev.netkit.core.internal.Checks;
import java.util.Objects;

/**
 * Which clients a server accepts, by IP address, and how much each may use. Immutable; build one
 * with {@link #builder()}; {@link #allowAll()} is the default of every server (no check, no
 * per-IP state). The runtime side, which counts each client's connections, is {@link IpAdmission}.
 *
 * <p>A new connection is refused, in this order, when its address is in {@code deny}
 * ({@link IpRefusal#DENIED}); when {@code allow} is not empty and the address is not in it
 * ({@link IpRefusal#NOT_ALLOWED}); when its address is new and {@code maxTrackedIps} addresses are
 * already tracked ({@link IpRefusal#TOO_MANY_IPS}); when the address has
 * {@code maxConnectionsPerIp} connections open ({@link IpRefusal#MAX_CONNECTIONS_PER_IP}); when it
 * opened connections faster than {@code maxNewConnectionsPerSecondPerIp} allows
 * ({@link IpRefusal#RATE_PER_IP}).
 *
 * @param allow                           the networks allowed in; empty (the default) = every address
 * @param deny                            the networks refused, even when also in {@code allow}; default none
 * @param maxConnectionsPerIp             connections one address may have open at once; 0 (the
 *                                        default) = no limit
 * @param maxNewConnectionsPerSecondPerIp new connections one address may open per second, on
 *                                        average: a token bucket refilled at this rate and holding
 *                                        one second's worth (at least one), so a client may open
 *                                        that many at once, then that many per second; fractions
 *                                        allowed ({@code 0.5} = one every two seconds); 0 (the
 *                                        default) = no limit
 * @param maxTrackedIps                   how many addresses the per-IP limits track at most (each
 *                                        costs about 100 bytes); default {@value #DEFAULT_MAX_TRACKED_IPS}.
 *                                        Only used when a per-IP limit is set
 */
public record IpPolicy(
        CidrSet allow,
        CidrSet deny,
        int maxConnectionsPerIp,
        double maxNewConnectionsPerSecondPerIp,
        int maxTrackedIps) {

    /** The default {@link #maxTrackedIps()}. */
    public static final int DEFAULT_MAX_TRACKED_IPS = 100_000;
    private static final IpPolicy ALLOW_ALL = builder().build();

    /** Validates every field. */
    public IpPolicy {
        Objects.requireNonNull(allow, "allow");
        Objects.requireNonNull(deny, "deny");
        Checks.notNegative("maxConnectionsPerIp", maxConnectionsPerIp);
        Checks.inRange("maxNewConnectionsPerSecondPerIp", maxNewConnectionsPerSecondPerIp, 0, 1e9);
        Checks.positive("maxTrackedIps", maxTrackedIps);
    }

    /** Every address allowed, no per-IP limit: the default. */
    public static IpPolicy allowAll() {
        return ALLOW_ALL;
    }

    /** A builder starting from {@link #allowAll()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this policy. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Whether a per-IP limit is set (then {@link IpAdmission} keeps state per address). */
    public boolean limitsPerIp() {
        return maxConnectionsPerIp > 0 || maxNewConnectionsPerSecondPerIp > 0;
    }

    /** Whether this lets every address in without limit (like {@link #allowAll()}, whatever {@code maxTrackedIps}). */
    public boolean allowsAll() {
        return allow.isEmpty() && deny.isEmpty() && !limitsPerIp();
    }

    /** The static part of the decision: {@code deny}, then {@code allow}; null when they let the address in. */
    IpRefusal screen(IpKey address) {
        if (!deny.isEmpty() && deny.contains(address)) {
            return IpRefusal.DENIED;
        }
        if (!allow.isEmpty() && !allow.contains(address)) {
            return IpRefusal.NOT_ALLOWED;
        }
        return null;
    }

    /** Mutable builder for {@link IpPolicy}; {@link #build()} validates. */
    public static final class Builder {
        private CidrSet allow = CidrSet.empty();
        private CidrSet deny = CidrSet.empty();
        private int maxConnectionsPerIp;
        private double maxNewConnectionsPerSecondPerIp;
        private int maxTrackedIps = DEFAULT_MAX_TRACKED_IPS;

        private Builder() {}

        private Builder(IpPolicy p) {
            allow = p.allow;
            deny = p.deny;
            maxConnectionsPerIp = p.maxConnectionsPerIp;
            maxNewConnectionsPerSecondPerIp = p.maxNewConnectionsPerSecondPerIp;
            maxTrackedIps = p.maxTrackedIps;
        }

        /** @see IpPolicy#allow() */
        public Builder allow(CidrSet value) { allow = value; return this; }
        /** Parses a comma-separated list; @see IpPolicy#allow() */
        public Builder allow(String commaSeparatedCidrs) { allow = CidrSet.parse(commaSeparatedCidrs); return this; }
        /** @see IpPolicy#deny() */
        public Builder deny(CidrSet value) { deny = value; return this; }
        /** Parses a comma-separated list; @see IpPolicy#deny() */
        public Builder deny(String commaSeparatedCidrs) { deny = CidrSet.parse(commaSeparatedCidrs); return this; }
        /** @see IpPolicy#maxConnectionsPerIp() */
        public Builder maxConnectionsPerIp(int value) { maxConnectionsPerIp = value; return this; }
        /** @see IpPolicy#maxNewConnectionsPerSecondPerIp() */
        public Builder maxNewConnectionsPerSecondPerIp(double value) { maxNewConnectionsPerSecondPerIp = value; return this; }
        /** @see IpPolicy#maxTrackedIps() */
        public Builder maxTrackedIps(int value) { maxTrackedIps = value; return this; }

        /** Validates and builds the policy. */
        public IpPolicy build() {
            return new IpPolicy(allow, deny, maxConnectionsPerIp, maxNewConnectionsPerSecondPerIp, maxTrackedIps);
        }
    }
}
