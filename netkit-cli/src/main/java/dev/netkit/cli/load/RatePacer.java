package dev.netkit.cli.load;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;

/*
 * Open-loop pacing. Request i is due at start + i * 1e9 / rate (integer nanoseconds, computed
 * from i, so no error accumulates). One platform thread sleeps until the next due time and then
 * starts every request that is due, however late it woke: a wake-up that comes 200 us late (timer
 * slack, a GC pause) starts the requests of those 200 us at once, each still carrying its own due
 * time, which is where its latency is measured from. Nothing waits for answers.
 */
/** Starts requests at a fixed rate on its own thread until told to stop. */
final class RatePacer {
    private final long rate;
    private final LongFunction<CompletableFuture<byte[]>> send;
    private final BooleanSupplier running;
    private final CountDownLatch done;
    private final AtomicLong outstanding = new AtomicLong();
    private volatile boolean stopped;

    private RatePacer(long rate, LongFunction<CompletableFuture<byte[]>> send, BooleanSupplier running, CountDownLatch done) {
        this.rate = rate;
        this.send = send;
        this.running = running;
        this.done = done;
    }

    /**
     * Starts pacing: {@code send} is called with each request's intended start ({@link System#nanoTime()}
     * scale) while {@code running} holds; {@code done} is counted down once pacing stopped and
     * every request sent has completed.
     */
    static RatePacer start(long rate, LongFunction<CompletableFuture<byte[]>> send, BooleanSupplier running,
                           CountDownLatch done) {
        RatePacer pacer = new RatePacer(rate, send, running, done);
        Thread.ofPlatform().daemon().name("netkit-load-pacer").start(pacer::run);
        return pacer;
    }

    private void run() {
        long start = System.nanoTime();
        long i = 0;
        outstanding.incrementAndGet(); // the pacer's own hold: released when it stops
        try {
            while (running.getAsBoolean()) {
                long due = start + dueOffset(i);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100)));
                    continue;
                }
                outstanding.incrementAndGet();
                send.apply(due).whenComplete((r, e) -> release());
                i++;
            }
        } finally {
            stopped = true;
            release();
        }
    }

    /** i / rate seconds in nanoseconds, exactly (rate <= 1e7, so i * 1e9 fits until i ~ 9.2e9). */
    private long dueOffset(long i) {
        return i / rate * 1_000_000_000L + i % rate * 1_000_000_000L / rate;
    }

    private void release() {
        if (outstanding.decrementAndGet() == 0 && stopped) {
            done.countDown();
        }
    }
}
