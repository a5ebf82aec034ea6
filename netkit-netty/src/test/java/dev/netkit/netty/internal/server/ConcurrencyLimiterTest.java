package dev.netkit.netty.internal.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConcurrencyLimiterTest {
    @Test
    void eachReleaseWakesOneParkedConnectionInOrder() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(1);
        assertThat(limiter.tryAcquire()).isTrue();
        AtomicInteger woken = new AtomicInteger();
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            int id = i;
            limiter.park(() -> {
                woken.incrementAndGet();
                order.append(id).append(',');
            });
        }
        assertThat(woken.get()).as("no permit free: nobody is woken").isZero();
        limiter.release();
        assertThat(woken.get()).as("one release, one wake-up").isEqualTo(1);
        assertThat(limiter.tryAcquire()).isTrue(); // the woken connection takes the permit
        limiter.release();
        assertThat(woken.get()).isEqualTo(2);
        limiter.wakeNext(); // the second one took nothing and passes the wake-up on
        assertThat(order).hasToString("0,1,2,");
    }

    @Test
    void aConnectionParkingJustAfterAReleaseIsWokenByItsOwnRecheck() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(1);
        AtomicInteger woken = new AtomicInteger();
        limiter.park(woken::incrementAndGet); // a permit is free: the re-check wakes it at once
        assertThat(woken.get()).isEqualTo(1);
    }

    @Test
    void aWakeUpThatFailsIsPassedOn() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(1);
        assertThat(limiter.tryAcquire()).isTrue();
        AtomicInteger woken = new AtomicInteger();
        limiter.park(() -> {
            throw new java.util.concurrent.RejectedExecutionException("event loop gone");
        });
        limiter.park(woken::incrementAndGet);
        limiter.release();
        assertThat(woken.get()).isEqualTo(1);
    }
}
