package dev.netkit.netty.udp;

import io.netty.buffer.ByteBuf;

/**
 * How a {@link DatagramHandler} answers the datagram it is handling. Valid only during that call.
 *
 * <p>Not calling {@link #reply} sends nothing (the datagram is consumed or dropped: that is the
 * handler's choice, and nothing is counted as a drop).
 */
public interface Responder {
    /**
     * A buffer of at least {@code capacity} bytes for the answer to the datagram's sender (the
     * server's: reused for later answers once this one was sent, so never keep it).
     * Write the answer into it and return: the server sends it after the handler returns (batched:
     * one flush per receive batch) and releases it. At most one answer per datagram: a second
     * call returns the same buffer. An answer longer than {@link UdpServerConfig#maxDatagramSize()}
     * is dropped and counted ({@code oversize}). If the handler throws, the buffer is released and
     * nothing is sent. An empty answer is not sent either: Netty's epoll transport skips empty
     * datagrams when it writes them one at a time, so the server never sends one (a zero-length
     * datagram can be received, not answered). Do not release or keep the buffer.
     *
     * @param capacity the expected size, 0 to {@link UdpServerConfig#maxDatagramSize()}
     */
    ByteBuf reply(int capacity);
}
