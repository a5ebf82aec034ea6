package dev.netkit.bench;

import dev.netkit.core.qos.FairQueue;
import dev.netkit.core.qos.QosClass;
import dev.netkit.core.qos.QosPolicy;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One offer and one poll on a backlogged queue (64 items waiting in each class): {@code fair3}
 * with three classes weighted 6:3:1 and a strict class, {@code fair1} with one class (what a
 * single-class policy costs), and {@code fifo}, the {@link ArrayDeque} the pool uses without a
 * policy, for reference. Single-threaded: the pool calls it under its lock.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class FairQueueBenchmark {
    private static final Object ITEM = new Object();
    private FairQueue<Object> fair3;
    private FairQueue<Object> fair1;
    private final ArrayDeque<Object> fifo = new ArrayDeque<>();
    private int next;

    @Setup
    public void setUp() {
        fair3 = new FairQueue<>(new QosPolicy(List.of(new QosClass("control", 1, 1024), new QosClass("gold", 6, 1024),
                new QosClass("silver", 3, 1024), new QosClass("bronze", 1, 1024)), "bronze", "control", 8));
        fair1 = new FairQueue<>(QosPolicy.single(1024));
        for (int i = 0; i < 64; i++) {
            for (int c = 1; c < 4; c++) {
                fair3.offer(c, ITEM);
            }
            fair1.offer(0, ITEM);
            fifo.addLast(ITEM);
        }
    }

    @Benchmark
    public Object fair3() {
        int c = 1 + (next++ & 3) % 3; // arrivals spread over the weighted classes
        fair3.offer(c, ITEM);
        return fair3.poll();
    }

    @Benchmark
    public Object fair1() {
        fair1.offer(0, ITEM);
        return fair1.poll();
    }

    @Benchmark
    public Object fifo() {
        fifo.addLast(ITEM);
        return fifo.pollFirst();
    }
}
