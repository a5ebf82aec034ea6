/**
 * An embeddable UDP packet processor ({@link dev.netkit.netty.udp.UdpServer}): one
 * {@code SO_REUSEPORT} socket per I/O thread on epoll, batched receive ({@code recvmmsg}) and send,
 * pooled buffers, a per-source rate limit and a drop counter per reason. Handlers see each
 * datagram through a reusable read-only {@link dev.netkit.netty.udp.Datagram} view and answer
 * through a {@link dev.netkit.netty.udp.Responder}; the dispatch path allocates nothing.
 */
package dev.netkit.netty.udp;
