package dev.netkit.netty.udp;

import static dev.netkit.netty.udp.UdpServerTest.loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.netty.transport.TransportKind;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Netty 4.2.18 trap: with {@code UDP_GRO} and {@code recvmmsg} (MAX_DATAGRAM_PAYLOAD_SIZE)
 * together, a GRO-coalesced buffer reaches the pipeline as one datagram, its segment size lost.
 * A GSO send (10 segments of 100 bytes in one {@code sendmsg}) over loopback produces exactly such
 * a buffer at a GRO socket. The test shows the trap with a bare Netty socket, then that both
 * configurations the server can run deliver ten datagrams of 100 bytes: {@code recvmmsg} without
 * GRO (the default) and GRO with {@code recvmsg} ({@code udpGro(true)}).
 */
class UdpGroRecvmmsgTest {
    private static final int SEGMENTS = 10;
    private static final int SEGMENT = 100;
    private static final int MARKER = 2 * SEGMENT;

    private EventLoopGroup group;
    private Channel sender;

    @BeforeEach
    void startSender() throws InterruptedException {
        assertThat(Epoll.isAvailable()).as("epoll on this Linux machine").isTrue();
        assertThat(EpollDatagramChannel.isSegmentedDatagramPacketSupported()).as("UDP_SEGMENT (GSO) on this kernel").isTrue();
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        sender = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket msg) { }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    @AfterEach
    void stop() {
        sender.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private void sendOneGsoBatch(InetSocketAddress to) {
        ByteBuf payload = Unpooled.directBuffer(SEGMENTS * SEGMENT);
        for (int i = 0; i < SEGMENTS * SEGMENT; i++) {
            payload.writeByte(i / SEGMENT); // segment k is all k
        }
        sender.writeAndFlush(new SegmentedDatagramPacket(payload, SEGMENT, to)).syncUninterruptibly();
    }

    @Test
    void groWithRecvmmsgDeliversTheCoalescedBatchAsOneDatagram() throws InterruptedException {
        Queue<Integer> sizes = new ConcurrentLinkedQueue<>();
        Channel trap = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
                .option(EpollChannelOption.UDP_GRO, true)
                .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, 2048)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048 * 8))
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket msg) {
                        sizes.add(msg.content().readableBytes());
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        try {
            InetSocketAddress to = (InetSocketAddress) trap.localAddress();
            sendOneGsoBatch(to);
            // A marker from the same socket arrives after everything the batch became (one flow on
            // loopback keeps its order); larger than a segment, GRO cannot append it to the batch.
            sender.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(new byte[MARKER]), to)).syncUninterruptibly();
            await().atMost(Duration.ofSeconds(5)).until(() -> sizes.contains(MARKER));
            assertThat(sizes).as("Netty 4.2.18: GRO + recvmmsg loses the segment size: the ten segments are one datagram")
                    .containsExactly(SEGMENTS * SEGMENT, MARKER);
        } finally {
            trap.close().sync();
        }
    }

    @Test
    void theDefaultRecvmmsgWithoutGroDeliversEachDatagram() {
        assertEachSegmentArrivesAlone(loopback().transport(TransportKind.EPOLL).build());
    }

    @Test
    void groWithRecvmsgDeliversEachDatagram() {
        assertEachSegmentArrivesAlone(loopback().transport(TransportKind.EPOLL).udpGro(true).build());
    }

    private void assertEachSegmentArrivesAlone(UdpServerConfig config) {
        Queue<String> seen = new ConcurrentLinkedQueue<>();
        DatagramHandler record = (d, r) -> seen.add(d.length() + ":" + d.getByte(0) + ":" + d.getByte(d.length() - 1));
        try (UdpServer server = UdpServer.builder().config(config).handler(record).start()) {
            sendOneGsoBatch(server.localAddress());
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() >= SEGMENTS);
            assertThat(seen).containsExactlyElementsOf(
                    java.util.stream.IntStream.range(0, SEGMENTS).mapToObj(k -> SEGMENT + ":" + k + ":" + k).toList());
            assertThat(server.stats().packetsIn()).isEqualTo(SEGMENTS);
            assertThat(server.stats().drops(UdpDropReason.OVERSIZE)).isZero();
            List<Long> batches = List.copyOf(server.stats().batchSizes().values());
            assertThat(batches.stream().mapToLong(Long::longValue).sum()).isPositive();
        }
    }
}
