package dev.netkit.bench;

import dev.netkit.core.limit.RateLimit;
import dev.netkit.core.limit.TokenBucket;
import dev.netkit.core.time.Ticker;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One token acquire (issue 14's target: at most 20 ns, 0 B/op with {@code -prof gc}). The buckets
 * never run dry (the largest rate and burst), so every call is the grant path: one clock reading,
 * the exact integer refill, one CAS. {@code own*}: a bucket per thread (uncontended), with 1 and 4
 * threads; {@code shared4}: 4 threads on one bucket (CAS contention; on a 2-core machine the
 * threads also share cores). {@code shape}: {@link TokenBucket#acquireOrDelay} instead of
 * {@link TokenBucket#tryAcquire}. {@code clock1}: the clock reading alone, for reference.
 * {@code own*Now}: the caller passes its clock reading ({@link TokenBucket#tryAcquire(long, long)}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class TokenBucketBenchmark {
    private static TokenBucket bucket() {
        return new TokenBucket(new RateLimit("bench", TokenBucket.MAX_RATE, TokenBucket.MAX_BURST), Ticker.system());
    }

    /** A bucket per thread. */
    @State(Scope.Thread)
    public static class Own {
        final TokenBucket bucket = bucket();
    }

    /** One bucket for all threads. */
    @State(Scope.Benchmark)
    public static class Shared {
        final TokenBucket bucket = bucket();
    }

    @Benchmark
    @Threads(1)
    public boolean own1(Own s) {
        return s.bucket.tryAcquire(1);
    }

    @Benchmark
    @Threads(4)
    public boolean own4(Own s) {
        return s.bucket.tryAcquire(1);
    }

    @Benchmark
    @Threads(4)
    public boolean shared4(Shared s) {
        return s.bucket.tryAcquire(1);
    }

    /**
     * A bucket per thread and the caller's clock reading: what an acquire costs where one reading
     * serves many (a server reads the clock once per socket read for every frame and bucket in it).
     * The reading is renewed every iteration, so the bucket's arithmetic sees time pass.
     */
    @State(Scope.Thread)
    public static class OwnWithTime {
        final TokenBucket bucket = bucket();
        long now;

        @Setup(Level.Iteration)
        public void read() {
            now = System.nanoTime();
        }
    }

    @Benchmark
    @Threads(1)
    public boolean own1Now(OwnWithTime s) {
        return s.bucket.tryAcquire(1, s.now);
    }

    @Benchmark
    @Threads(4)
    public boolean own4Now(OwnWithTime s) {
        return s.bucket.tryAcquire(1, s.now);
    }

    /** The clock alone ({@link System#nanoTime()}), which every acquire reads once: the floor. */
    @Benchmark
    @Threads(1)
    public long clock1() {
        return System.nanoTime();
    }

    @Benchmark
    @Threads(1)
    public long shape1(Own s) {
        return s.bucket.acquireOrDelay(1, 0);
    }
}
