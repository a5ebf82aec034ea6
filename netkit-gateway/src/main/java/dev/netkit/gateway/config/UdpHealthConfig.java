package dev.netkit.gateway.config;

import java.util.Objects;

/**
 * The active health check of a udp listener's endpoints ({@code health:} on the listener): a
 * datagram {@code probe} sent from a fresh connected socket, and the reply it must get. The timing
 * ({@code interval}, {@code timeout}, thresholds) and the on/off switch are the cluster's
 * {@code health}. Without a probe there are no active checks for a udp listener: the cluster's
 * TCP-connect check says nothing about a UDP service, and UDP has no handshake to check instead;
 * such endpoints leave service only by maintenance drain or by outlier ejection, which counts a
 * session ended by an ICMP port-unreachable as a failure.
 *
 * @param probe  {@code probe: "text"} or {@code probe_hex: "..."}; empty = no active checks
 * @param expect {@code expect: "text"} or {@code expect_hex: "..."}: the reply must start with these
 *               bytes; empty = any reply passes
 */
public record UdpHealthConfig(Payload probe, Payload expect) {
    /** No active checks. */
    public static final UdpHealthConfig NONE = new UdpHealthConfig(Payload.EMPTY, Payload.EMPTY);

    /** Validates both; an expected reply needs a probe. */
    public UdpHealthConfig {
        Objects.requireNonNull(probe, "probe");
        Objects.requireNonNull(expect, "expect");
        if (probe.isEmpty() && !expect.isEmpty()) {
            throw new IllegalArgumentException("an expected reply needs a probe to answer");
        }
    }

    /** Whether this listener checks its endpoints actively. */
    public boolean enabled() {
        return !probe.isEmpty();
    }
}
