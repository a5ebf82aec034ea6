package dev.netkit.bench;

import dev.netkit.netty.internal.RateLimitedLog;
import dev.netkit.netty.internal.event.Emitter;
import dev.netkit.netty.internal.udp.LoopCounters;
import dev.netkit.netty.internal.udp.PacketPath;
import dev.netkit.netty.internal.udp.UdpEvents;
import dev.netkit.netty.udp.DatagramHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.slf4j.LoggerFactory;

/*
 * What this measures, and what it does not.
 *
 * The UDP server's per-datagram work on its I/O thread, without the socket: PacketPath.admit
 * (count in, size check, and with rateLimit=true the source's GCRA entry in the per-thread table)
 * then PacketPath.handle (the reusable Datagram view, the echo handler, an answer in a buffer of
 * the reply slot's ring — reused once the socket released it, which the release here stands for —
 * the size check), then counting the answer as sent and releasing it (the socket would release it
 * after sendmmsg). SOURCES senders take turns, so
 * the rate table is looked up for different keys.
 *
 * Not measured: Netty's own per-datagram objects (the DatagramPacket and the retained slice that
 * recvmmsg produces for each datagram, the DatagramPacket envelope of each answer, the outbound
 * buffer entry) and the syscalls. Those are Netty's cost under any handler; an end-to-end figure
 * (allocation per packet with -prof gc on a running server) is the lead's separate benchmark.
 *
 * Scores are ns per datagram (@OperationsPerInvocation); with -prof gc, B/op is per datagram too.
 */
/** Cost per datagram of the UDP server's receive-dispatch-reply path (64-byte echo). */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled"})
@State(Scope.Thread)
public class UdpPathBenchmark {
    static final int SOURCES = 64;
    static final int PAYLOAD = 64;

    @Param({"false", "true"})
    boolean rateLimit;

    private PacketPath path;
    private ByteBuf datagram;
    private InetSocketAddress[] senders;
    private long now;

    @Setup
    public void setUp() {
        path = new PacketPath(DatagramHandler.echo(), new LoopCounters(), ByteBufAllocator.DEFAULT, 2048,
                rateLimit ? 1e9 : 0, 1_000_000, 4096, new UdpEvents(new Emitter(null)),
                new RateLimitedLog(LoggerFactory.getLogger(UdpPathBenchmark.class)));
        datagram = ByteBufAllocator.DEFAULT.directBuffer(PAYLOAD).writeZero(PAYLOAD);
        senders = new InetSocketAddress[SOURCES];
        for (int i = 0; i < SOURCES; i++) {
            senders[i] = new InetSocketAddress("10.0.0." + (i + 1), 40_000 + i);
        }
    }

    @TearDown
    public void tearDown() {
        path.close();
        datagram.release();
    }

    @Benchmark
    @OperationsPerInvocation(SOURCES)
    public int receiveDispatchReply() {
        int bytes = 0;
        now += 1_000; // the batch clock: 1 µs per batch of SOURCES datagrams
        for (int i = 0; i < SOURCES; i++) {
            InetSocketAddress from = senders[i];
            if (path.admit(datagram, from, now)) {
                ByteBuf reply = path.handle(datagram, from);
                if (reply != null) {
                    bytes += reply.readableBytes();
                    path.sent(reply.readableBytes());
                    reply.release();
                }
            }
        }
        return bytes;
    }
}
