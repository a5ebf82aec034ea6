package dev.netkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class BoundedCounterTest {
    @Test
    void neverHandsOutMoreThanTheLimit() {
        BoundedCounter c = new BoundedCounter(2);
        assertThat(c.tryAcquire()).isTrue();
        assertThat(c.tryAcquire()).isTrue();
        assertThat(c.tryAcquire()).isFalse();
        c.release();
        assertThat(c.tryAcquire()).isTrue();
        c.release(2);
        assertThat(c.inUse()).isZero();
    }

    @Test
    void racingThreadsNeverExceedTheLimit() throws Exception {
        BoundedCounter c = new BoundedCounter(3);
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger holders = new AtomicInteger();
        AtomicIntegerArray acquiredPerThread = new AtomicIntegerArray(4);
        CyclicBarrier start = new CyclicBarrier(4);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int id = t;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < 100_000; i++) {
                    if (c.tryAcquire()) {
                        peak.accumulateAndGet(holders.incrementAndGet(), Math::max);
                        acquiredPerThread.incrementAndGet(id);
                        holders.decrementAndGet();
                        c.release();
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(peak.get()).isBetween(1, 3);
        assertThat(c.inUse()).isZero();
    }
}
