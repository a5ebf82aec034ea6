package dev.netkit.core.breaker;

import static dev.netkit.core.breaker.BreakerState.CLOSED;
import static dev.netkit.core.breaker.BreakerState.HALF_OPEN;
import static dev.netkit.core.breaker.BreakerState.OPEN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.time.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several threads race on one breaker through every transition; bounded (a few rounds of a few
 * hundred calls) so it stays cheap on a shared two-core machine.
 */
class CircuitBreakerConcurrencyTest {
    private static final int THREADS = 4;
    private static final int ROUNDS = 40;
    private static final int TRIALS = 5;
    private static final Duration WAIT = Duration.ofSeconds(1);

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Runs {@code body(thread)} on every thread at once (released together by a latch) and waits. */
    private void race(IntConsumer body) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                start.await();
                body.accept(thread);
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get(30, TimeUnit.SECONDS); // rethrows an assertion failed on a worker
        }
    }

    @Test
    void trialsNeverExceedThePermittedAndEachTransitionIsToldOnce() throws Exception {
        long seed = Long.getLong("netkit.seed", System.nanoTime());
        for (int round = 0; round < ROUNDS; round++) {
            String where = "seed " + seed + ", round " + round;
            ManualTicker ticker = new ManualTicker();
            Queue<BreakerTransition> told = new ConcurrentLinkedQueue<>();
            CircuitBreaker b = new CircuitBreaker("e", BreakerConfig.builder().countWindow(20).minimumCalls(20)
                    .waitInOpen(WAIT).permittedCallsInHalfOpen(TRIALS).build(), ticker, told::add);

            // CLOSED -> OPEN: everyone fails at once; one thread's record trips it.
            race(thread -> {
                for (int i = 0; i < 15; i++) {
                    if (b.tryAcquirePermission()) {
                        b.onFailure(1_000);
                    }
                }
            });
            assertThat(b.state()).as(where).isEqualTo(OPEN);

            // OPEN -> HALF_OPEN: everyone asks after the wait; take and give back trial slots.
            ticker.advance(WAIT);
            long roundSeed = seed * 31 + round * THREADS;
            AtomicInteger held = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            race(thread -> {
                Random random = new Random(roundSeed + thread);
                int mine = 0;
                for (int i = 0; i < 50; i++) {
                    if (b.tryAcquirePermission()) {
                        // Counted after the grant and uncounted before the release, so "held"
                        // never exceeds what the breaker has really handed out.
                        most.accumulateAndGet(held.incrementAndGet(), Math::max);
                        mine++;
                    }
                    if (mine > 0 && random.nextBoolean()) {
                        held.decrementAndGet();
                        mine--;
                        b.release();
                    }
                }
            });
            assertThat(most.get()).as(where).isLessThanOrEqualTo(TRIALS).isPositive();
            int more = 0;
            while (b.tryAcquirePermission()) {
                more++;
            }
            assertThat(held.get() + more).as("%s: slots held + slots left", where).isEqualTo(TRIALS);

            // HALF_OPEN -> OPEN: the trials all fail at once; exactly one verdict.
            AtomicInteger toReport = new AtomicInteger(TRIALS);
            race(thread -> {
                while (toReport.getAndDecrement() > 0) {
                    b.onFailure(1_000);
                }
            });
            assertThat(b.state()).as(where).isEqualTo(OPEN);

            // OPEN -> HALF_OPEN -> CLOSED: everyone asks, then the trials all succeed at once.
            ticker.advance(WAIT);
            AtomicInteger granted = new AtomicInteger();
            race(thread -> {
                for (int i = 0; i < 10; i++) {
                    if (b.tryAcquirePermission()) {
                        granted.incrementAndGet();
                    }
                }
            });
            assertThat(granted.get()).as(where).isEqualTo(TRIALS);
            AtomicInteger successes = new AtomicInteger(TRIALS);
            race(thread -> {
                while (successes.getAndDecrement() > 0) {
                    b.onSuccess(1_000);
                }
            });
            assertThat(b.state()).as(where).isEqualTo(CLOSED);

            assertThat(told).as(where).extracting(t -> t.from() + "->" + t.to()).containsExactly(
                    "CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED");
            assertThat(told).as(where).extracting(BreakerTransition::sequence).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(b.snapshot().transitions()).as(where).isEqualTo(5);
            assertThat(told).extracting(BreakerTransition::to).contains(HALF_OPEN);
        }
    }
}
