package dev.netkit.gateway;

/**
 * A snapshot of one listener's counters: {@link AnetListenerStats} for a request-level listener,
 * {@link TcpListenerStats} for a tcp one, {@link UdpListenerStats} for a udp one.
 */
public sealed interface ListenerStats permits AnetListenerStats, TcpListenerStats, UdpListenerStats {
    /** The listener's name. */
    String name();
}
