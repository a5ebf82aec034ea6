package dev.netkit.gateway.internal.udp;

import dev.netkit.netty.internal.Transport;
import dev.netkit.netty.internal.udp.UdpSockets;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;

/**
 * How a udp listener's upstream sockets (one connected socket per session) are set up.
 *
 * <p>Why it matters (issue 13, BENCHMARKS): the listening socket reads up to
 * {@code clientBudget} datagrams a wake-up with {@code recvmmsg}; an upstream socket that read 16
 * a wake-up with one {@code recvmsg} each relayed only one reply in eight under a flood, and the
 * rest were forwarded upstream only to be dropped at the full upstream socket: work done twice
 * for nothing. So an upstream socket reads with {@code recvmmsg} too (epoll; its read buffer stays
 * within {@link #MAX_READ_BUFFER}, as a session usually has few replies waiting), twice the
 * listening socket's budget a wake-up (replies drain before new requests are taken, so overload
 * drops at the listening socket, before any work is done), and gets its own {@code SO_RCVBUF}.
 */
final class UpstreamSockets {
    /** The read buffer of one {@code recvmmsg} call on an upstream socket stays within this. */
    static final int MAX_READ_BUFFER = 64 << 10;
    /** Datagrams per {@code recvmmsg} call on an upstream socket, at most. */
    static final int MAX_BATCH = 32;
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 << 10, 1 << 20);

    private UpstreamSockets() {}

    /** Datagrams per {@code recvmmsg} call for datagrams up to {@code maxDatagramSize} (1: plain reads). */
    static int batchOf(int maxDatagramSize) {
        return Math.max(1, Math.min(MAX_BATCH, MAX_READ_BUFFER / (maxDatagramSize + 1)));
    }

    /**
     * The bootstrap of a listener's upstream sockets (a group is set per session).
     *
     * @param clientBudget datagrams one wake-up of the listening socket reads at most
     * @param receiveBufferBytes {@code SO_RCVBUF}, 0 = the kernel's default
     * @param sendBufferBytes {@code SO_SNDBUF}, 0 = the kernel's default
     */
    static Bootstrap bootstrap(Transport transport, int maxDatagramSize, int clientBudget, int receiveBufferBytes,
                               int sendBufferBytes) {
        // A reply gets a slot one byte over the limit, so an oversize reply is recognised (truncated) and dropped.
        int slot = maxDatagramSize + 1;
        int perWakeup = 2 * clientBudget;
        Bootstrap b = new Bootstrap().channel(UdpSockets.channelClass(transport))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
        if (receiveBufferBytes > 0) {
            b.option(ChannelOption.SO_RCVBUF, receiveBufferBytes);
        }
        if (sendBufferBytes > 0) {
            b.option(ChannelOption.SO_SNDBUF, sendBufferBytes);
        }
        int batch = batchOf(maxDatagramSize);
        if (transport.name().equals("epoll") && batch > 1) {
            // MAX_DATAGRAM_PAYLOAD_SIZE turns recvmmsg on, also on a connected socket.
            return b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, slot)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(slot * batch).maxMessagesPerRead(perWakeup));
        }
        return b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(slot).maxMessagesPerRead(perWakeup));
    }
}
