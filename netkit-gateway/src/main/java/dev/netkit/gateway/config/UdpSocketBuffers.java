package dev.netkit.gateway.config;

import static dev.netkit.core.internal.Checks.notNegative;

/**
 * The socket buffer sizes of a udp listener ({@code socket_buffers}), in bytes; 0 = the kernel's
 * default ({@code net.core.rmem_default} / {@code wmem_default}). The kernel caps a size at
 * {@code net.core.rmem_max} / {@code wmem_max} (and doubles it for its own bookkeeping); a buffer
 * is a bound, memory is used only by datagrams waiting in it.
 *
 * @param receive         {@code SO_RCVBUF} of each listening socket: absorbs a burst from clients;
 *                        default {@value #DEFAULT_RECEIVE} (4 MiB, as {@code UdpServer})
 * @param send            {@code SO_SNDBUF} of each listening socket; default 0
 * @param upstreamReceive {@code SO_RCVBUF} of each session's upstream socket: absorbs a burst of
 *                        replies; default {@value #DEFAULT_UPSTREAM_RECEIVE} (1 MiB)
 * @param upstreamSend    {@code SO_SNDBUF} of each session's upstream socket; default 0
 */
public record UdpSocketBuffers(int receive, int send, int upstreamReceive, int upstreamSend) {
    /** The default {@code receive}: 4 MiB. */
    public static final int DEFAULT_RECEIVE = 4 << 20;
    /** The default {@code upstream_receive}: 1 MiB. */
    public static final int DEFAULT_UPSTREAM_RECEIVE = 1 << 20;
    /** The defaults. */
    public static final UdpSocketBuffers DEFAULTS = new UdpSocketBuffers(DEFAULT_RECEIVE, 0, DEFAULT_UPSTREAM_RECEIVE, 0);

    /** Validates every field (0 or more). */
    public UdpSocketBuffers {
        notNegative("receive", receive);
        notNegative("send", send);
        notNegative("upstreamReceive", upstreamReceive);
        notNegative("upstreamSend", upstreamSend);
    }
}
