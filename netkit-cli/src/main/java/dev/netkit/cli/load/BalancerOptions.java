package dev.netkit.cli.load;

import dev.netkit.cli.DurationConverter;
import dev.netkit.core.balance.OutlierConfig;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The balancing flags of {@code netkit load}: the strategy, passive outlier detection, a local
 * zone, retries and active health checks. Unset
 * outlier flags keep the balancer's defaults ({@link OutlierConfig#defaults()}), so the CLI never
 * drifts from the library. New balancer features (breakers, retries, health checks) add their
 * flags here.
 */
public final class BalancerOptions {
    private static final int MAX_EJECT_AFTER = 1_000_000;

    @Option(names = "--lb", paramLabel = "NAME", defaultValue = "round-robin", converter = LbChoice.Converter.class,
            completionCandidates = LbChoice.Names.class,
            description = "Balancing strategy: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    LbChoice lb = LbChoice.ROUND_ROBIN;

    @Option(names = "--eject-after", paramLabel = "N",
            description = "Eject an endpoint after N consecutive failures; 0 = no passive ejection at all "
                    + "(the failure-rate rule too) (default: the balancer's, 5).")
    Integer ejectAfter;

    @Option(names = "--ejection-time", paramLabel = "DURATION",
            description = "Base ejection time; the n-th ejection in a row lasts n times it (default: the balancer's, 30s).")
    Duration ejectionTime;

    @Option(names = "--max-ejected-share", paramLabel = "X",
            description = "At most this share of the targets ejected at once (always at least one), 0..1 "
                    + "(default: the balancer's, 0.1).")
    Double maxEjectedShare;

    @Option(names = "--local-zone", paramLabel = "ZONE", defaultValue = "",
            description = "Prefer targets in this zone (their @ZONE), spilling over as it loses health (default: none).")
    String localZone = "";

    @Option(names = "--retries", paramLabel = "N",
            description = "Send a failed request again to another target up to N times, only when safe (never written) "
                    + "and within the retry budget; 0 = never, at most " + Balancing.MAX_RETRIES + " (default: the broker's, 1).")
    Integer retries;

    @Option(names = "--health-interval", paramLabel = "DURATION", defaultValue = "0s",
            description = "Probe every target with an echo request this often (3 failures: out, 2 passes: back; "
                    + "a pass also ends an ejection); 0s = off (default: ${DEFAULT-VALUE}).")
    Duration healthInterval = Duration.ZERO;

    @Option(names = "--no-breaker",
            description = "No circuit breaker per target (default: the balancer's, opening at a 50% failure rate); "
                    + "for loading a target that refuses on purpose, such as a rate limit.")
    boolean noBreaker;

    /**
     * Everything the flags chose.
     *
     * @throws IllegalArgumentException naming the flag and its value when one is out of range
     */
    public Balancing balancing() {
        int retryCount = Balancing.defaults().retries();
        if (retries != null) {
            if (retries < 0 || retries > Balancing.MAX_RETRIES) {
                throw new IllegalArgumentException("--retries " + retries + ": expected 0 (never) .. " + Balancing.MAX_RETRIES);
            }
            retryCount = retries;
        }
        if (healthInterval.isNegative()) {
            throw new IllegalArgumentException("--health-interval " + DurationConverter.format(healthInterval) + ": expected 0 (off) or more");
        }
        return new Balancing(lb, outlier(), localZone.strip(), retryCount, healthInterval, !noBreaker);
    }

    /** The chosen strategy. */
    public LbChoice lb() {
        return lb;
    }

    /**
     * The outlier configuration: the balancer's defaults with the flags given applied.
     *
     * @throws IllegalArgumentException naming the flag and its value when one is out of range
     */
    public OutlierConfig outlier() {
        OutlierConfig outlier = OutlierConfig.defaults();
        if (ejectAfter != null) {
            if (ejectAfter < 0 || ejectAfter > MAX_EJECT_AFTER) {
                throw new IllegalArgumentException("--eject-after " + ejectAfter + ": expected 0 (off) .. " + MAX_EJECT_AFTER);
            }
            if (ejectAfter == 0) {
                return OutlierConfig.disabled();
            }
            outlier = outlier.withConsecutiveFailures(ejectAfter);
        }
        if (ejectionTime != null) {
            if (ejectionTime.isZero() || ejectionTime.isNegative()) {
                throw new IllegalArgumentException("--ejection-time " + DurationConverter.format(ejectionTime) + ": expected more than 0");
            }
            Duration max = outlier.maxEjection().compareTo(ejectionTime) < 0 ? ejectionTime : outlier.maxEjection();
            outlier = outlier.withEjection(ejectionTime, max);
        }
        if (maxEjectedShare != null) {
            if (!(maxEjectedShare >= 0 && maxEjectedShare <= 1)) {
                throw new IllegalArgumentException("--max-ejected-share " + maxEjectedShare + ": expected 0..1");
            }
            outlier = outlier.withMaxEjectedShare(maxEjectedShare);
        }
        return outlier;
    }
}
