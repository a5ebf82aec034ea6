package dev.netkit.cli.udp;

import dev.netkit.netty.internal.udp.UdpSockets;
import dev.netkit.netty.transport.IoGroup;
import dev.netkit.netty.transport.TransportKind;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Runs one UDP load: {@code sockets} connected sockets spread over the event loops, each a
 * {@link UdpFlow}. Flat out, each loop sends bursts of {@value #BURST} per socket as fast as its
 * sockets take them (a socket whose queue is over its high-water mark is skipped); with a rate,
 * each loop tops its sockets up to their share of the rate every millisecond. After the duration
 * sending stops and echoes are awaited until all are back or {@value #DRAIN_MILLIS} ms passed.
 */
final class UdpLoadRun {
    static final int BURST = 32;
    static final long DRAIN_MILLIS = 1000;

    private final InetSocketAddress target;
    private final String targetText;
    private final int size;
    private final int sockets;
    private final double rate;
    private final boolean echo;
    private final Duration duration;
    private final int ioThreads;
    private final TransportKind transport;
    private volatile boolean sending = true;

    UdpLoadRun(InetSocketAddress target, String targetText, int size, int sockets, double rate, boolean echo,
               Duration duration, int ioThreads, TransportKind transport) {
        this.target = target;
        this.targetText = targetText;
        this.size = size;
        this.sockets = sockets;
        this.rate = rate;
        this.echo = echo;
        this.duration = duration;
        this.ioThreads = ioThreads;
        this.transport = transport;
    }

    UdpLoadResult run() throws InterruptedException {
        try (IoGroup io = IoGroup.create(transport, ioThreads, "netkit-udp-load")) {
            List<EventLoop> loops = new ArrayList<>();
            io.eventLoops().forEach(e -> loops.add((EventLoop) e));
            List<UdpFlow> flows = new ArrayList<>();
            List<Channel> channels = new ArrayList<>();
            try {
                for (int i = 0; i < sockets; i++) {
                    UdpFlow flow = new UdpFlow(size);
                    Channel ch = bootstrap(io, loops.get(i % loops.size()), flow).connect(target).sync().channel();
                    flow.attach(ch);
                    flows.add(flow);
                    channels.add(ch);
                }
                long start = System.nanoTime();
                for (int l = 0; l < loops.size(); l++) {
                    List<UdpFlow> mine = new ArrayList<>();
                    for (int i = l; i < flows.size(); i += loops.size()) {
                        mine.add(flows.get(i));
                    }
                    drive(loops.get(l), mine, start);
                }
                Thread.sleep(duration.toMillis());
                sending = false;
                double seconds = (System.nanoTime() - start) / 1e9;
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(echo ? DRAIN_MILLIS : 0);
                UdpLoadResult result = collect(loops, flows, seconds);
                while (echo && result.received() + result.mismatched() < result.sent() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                    result = collect(loops, flows, seconds);
                }
                return result;
            } finally {
                sending = false;
                channels.forEach(c -> c.close().awaitUninterruptibly());
            }
        }
    }

    private Bootstrap bootstrap(IoGroup io, EventLoop loop, UdpFlow flow) {
        int slot = size + 1;
        int batch = Math.max(1, Math.min(32, (1 << 20) / slot));
        Bootstrap b = new Bootstrap().group(loop).channel(UdpSockets.channelClass(io.transport())).handler(flow)
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20));
        if (io.transportName().equals("epoll")) {
            return b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, slot)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(slot * batch).maxMessagesPerRead(batch * 4));
        }
        return b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(slot).maxMessagesPerRead(64));
    }

    /** Starts sending on {@code loop} for its flows. */
    private void drive(EventLoop loop, List<UdpFlow> flows, long start) {
        if (rate <= 0) {
            loop.execute(new Runnable() {
                @Override
                public void run() {
                    if (!sending) {
                        return;
                    }
                    for (UdpFlow f : flows) {
                        f.sendBurst(BURST);
                    }
                    loop.execute(this); // after the loop's I/O: echoes are read between bursts
                }
            });
            return;
        }
        double perFlow = rate / sockets;
        loop.scheduleAtFixedRate(new Runnable() {
            @Override
            public void run() {
                if (!sending) {
                    throw new IllegalStateException("done"); // ends the schedule
                }
                double elapsed = (System.nanoTime() - start) / 1e9;
                for (UdpFlow f : flows) {
                    long due = (long) (perFlow * elapsed) - f.sent;
                    if (due > 0) {
                        f.sendBurst((int) Math.min(due, 1024)); // a stalled loop does not fire a huge burst
                    }
                }
            }
        }, 0, 1, TimeUnit.MILLISECONDS);
    }

    /** The flows' counters, read on their own loops. */
    private UdpLoadResult collect(List<EventLoop> loops, List<UdpFlow> flows, double seconds) throws InterruptedException {
        long sent = 0;
        long received = 0;
        long mismatched = 0;
        Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        for (int l = 0; l < loops.size(); l++) {
            List<UdpFlow> mine = new ArrayList<>();
            for (int i = l; i < flows.size(); i += loops.size()) {
                mine.add(flows.get(i));
            }
            try {
                long[] counts = loops.get(l).submit(() -> {
                    long[] c = new long[3];
                    for (UdpFlow f : mine) {
                        c[0] += f.sent;
                        c[1] += f.received;
                        c[2] += f.mismatched;
                        synchronized (latency) {
                            latency.add(f.latencyMicros);
                        }
                    }
                    return c;
                }).get();
                sent += counts[0];
                received += counts[1];
                mismatched += counts[2];
            } catch (ExecutionException e) {
                throw new IllegalStateException("udp-load: reading the counters failed: " + e.getCause(), e.getCause());
            }
        }
        return new UdpLoadResult(targetText, size, sockets, rate, echo, seconds, sent, received, mismatched, latency);
    }
}
