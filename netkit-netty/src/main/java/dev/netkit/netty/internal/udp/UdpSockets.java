package dev.netkit.netty.internal.udp;

import dev.netkit.netty.internal.Transport;
import dev.netkit.netty.udp.UdpServerConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.uring.IoUringDatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Binds a UDP server's sockets: on epoll one {@code SO_REUSEPORT} socket per event loop, each
 * registered on its own loop; elsewhere one socket.
 *
 * <p>Receive sizing (epoll): each datagram gets a slot of {@code maxDatagramSize + 1} bytes (a
 * datagram that fills it was truncated by the kernel, so it is known to be oversize), and one
 * {@code recvmmsg} call fills up to {@link #batchOf} slots of one pooled buffer, whose datagrams
 * are slices of it. {@code MAX_DATAGRAM_PAYLOAD_SIZE} is what turns {@code recvmmsg} on in Netty.
 * With {@code udpGro} instead: {@code recvmsg} into 64 KiB (a coalesced GRO buffer), which Netty
 * splits by the segment size it reads from the control message; Netty 4.2.18 loses that size
 * under {@code recvmmsg}, so the two are never combined.
 */
public final class UdpSockets {
    /** The receive buffer of one call stays within this. */
    static final int MAX_READ_BUFFER = 1 << 20;
    /** A coalesced GRO buffer can be up to 64 KiB. */
    static final int GRO_BUFFER = 65_536;
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 << 10, 1 << 20);

    private UdpSockets() {}

    /** Datagrams per {@code recvmmsg} call for this configuration. */
    public static int batchOf(UdpServerConfig config) {
        int slot = config.maxDatagramSize() + 1;
        return Math.max(1, Math.min(config.receiveBatch(), MAX_READ_BUFFER / slot));
    }

    /**
     * Datagrams one wake-up of a listening socket reads at most (epoll: up to 4 {@code recvmmsg}
     * calls of {@link #batchOf}; elsewhere 64): what a proxy's reply path must keep up with.
     */
    public static int datagramsPerWakeup(UdpServerConfig config, Transport transport) {
        return transport.name().equals("epoll") && !config.udpGro() ? Math.max(64, batchOf(config) * 4) : 64;
    }

    /** Whether this transport gets one socket per event loop. */
    public static boolean reusePort(Transport transport) {
        return transport.name().equals("epoll");
    }

    /**
     * Binds the sockets, calling {@code handlerFor} once per socket with its event loop.
     * Closes what it bound if a later bind fails.
     */
    public static List<Channel> bind(UdpServerConfig config, Transport transport, EventLoopGroup group,
                                     Function<EventLoop, ChannelHandler> handlerFor) throws InterruptedException {
        List<EventLoop> loops = new ArrayList<>();
        if (reusePort(transport)) {
            group.forEach(e -> loops.add((EventLoop) e));
        } else {
            loops.add(group.next());
        }
        List<Channel> channels = new ArrayList<>();
        int port = config.port();
        try {
            for (EventLoop loop : loops) {
                Channel ch = bootstrap(config, transport, loop).handler(handlerFor.apply(loop))
                        .bind(config.host(), port).sync().channel();
                channels.add(ch);
                port = ((java.net.InetSocketAddress) ch.localAddress()).getPort(); // port 0: the others join the first's
            }
        } catch (RuntimeException | InterruptedException e) {
            channels.forEach(c -> c.close().awaitUninterruptibly());
            throw e;
        }
        return channels;
    }

    private static Bootstrap bootstrap(UdpServerConfig config, Transport transport, EventLoop loop) {
        int slot = config.maxDatagramSize() + 1;
        Bootstrap b = new Bootstrap().group(loop).channel(channelClass(transport))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
        if (config.receiveBufferBytes() > 0) {
            b.option(ChannelOption.SO_RCVBUF, config.receiveBufferBytes());
        }
        if (config.sendBufferBytes() > 0) {
            b.option(ChannelOption.SO_SNDBUF, config.sendBufferBytes());
        }
        if (!transport.name().equals("epoll")) {
            return b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(slot).maxMessagesPerRead(64));
        }
        b.option(EpollChannelOption.SO_REUSEPORT, true);
        if (config.udpGro()) {
            return b.option(EpollChannelOption.UDP_GRO, true)
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, 0)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(Math.max(GRO_BUFFER, slot))
                            .maxMessagesPerRead(64));
        }
        int batch = batchOf(config);
        return b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, slot)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(slot * batch)
                        .maxMessagesPerRead(datagramsPerWakeup(config, transport))); // counted in datagrams: up to 4 calls per wake-up
    }

    /** The datagram channel class of {@code transport} (also for netkit's UDP load tool). */
    public static Class<? extends DatagramChannel> channelClass(Transport transport) {
        return switch (transport.name()) {
            case "epoll" -> EpollDatagramChannel.class;
            case "io_uring" -> IoUringDatagramChannel.class;
            default -> NioDatagramChannel.class;
        };
    }
}
