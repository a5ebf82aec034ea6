/**
 * The implementation of {@link dev.netkit.netty.udp.UdpServer}; may change at any time.
 *
 * <p>Per socket (one per I/O thread on epoll): a {@link dev.netkit.netty.internal.udp.UdpChannelHandler}
 * owns a {@link dev.netkit.netty.internal.udp.PacketPath} (the datagram view, the responder, the
 * source rate table, the handler made for that thread) and a
 * {@link dev.netkit.netty.internal.udp.LoopCounters}; all of it is touched only by the socket's
 * event loop. {@link dev.netkit.netty.internal.udp.BlockingStage} is the one part shared between
 * threads: a bounded executor whose jobs own a copy of their datagram.
 */
package dev.netkit.netty.internal.udp;
