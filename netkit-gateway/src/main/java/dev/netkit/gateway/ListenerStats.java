package dev.netkit.gateway;

/**
 * A snapshot of one listener's counters: {@link AnetListenerStats} for a request-level listener,
 * {@link TcpListenerStats} for an L4 one.
 */
public sealed interface ListenerStats permits AnetListenerStats, TcpListenerStats {
    /** The listener's name. */
    String name();
}
