package dev.netkit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The registry's clock: a volatile read that keeps up with the real clock within a few ticks. */
class CoarseClockTest {
    @Test
    void followsTheRealClockWithinAFewTicks() {
        CoarseClock clock = CoarseClock.shared();
        long first = clock.monotonicTime();
        await().atMost(Duration.ofSeconds(5)).until(() -> clock.monotonicTime() > first);
        long lagNanos = System.nanoTime() - clock.monotonicTime();
        assertThat(lagNanos).isBetween(0L, Duration.ofMillis(500).toNanos()); // ticks every 10 ms; slack for a busy machine
        long lagMillis = System.currentTimeMillis() - clock.wallTime();
        assertThat(lagMillis).isBetween(-5L, 500L);
    }
}
