package dev.netkit.core.ip;

/**
 * Why {@link IpAdmission#admit} refused a client. Each has a stable snake_case {@link #label()}
 * used in stats, metrics ({@code reason} tag), events and logs.
 */
public enum IpRefusal implements IpDecision {
    /** The address is in the policy's deny list (which wins over the allow list). */
    DENIED("denied"),
    /** The policy has an allow list and the address is not in it. */
    NOT_ALLOWED("not_allowed"),
    /** The address already has {@link IpPolicy#maxConnectionsPerIp()} connections open. */
    MAX_CONNECTIONS_PER_IP("max_connections_per_ip"),
    /** The address opened {@link IpPolicy#maxNewConnectionsPerSecondPerIp()} connections too quickly. */
    RATE_PER_IP("rate_per_ip"),
    /**
     * A new address while {@link IpPolicy#maxTrackedIps()} addresses are already tracked (each has a
     * connection open or a rate bucket still refilling): the bound that keeps the per-IP state
     * finite under a flood from many addresses.
     */
    TOO_MANY_IPS("too_many_ips");

    private final String label;

    IpRefusal(String label) {
        this.label = label;
    }

    /** The reason as written in stats, metrics and events: {@code denied}, {@code rate_per_ip} … */
    public String label() {
        return label;
    }
}
