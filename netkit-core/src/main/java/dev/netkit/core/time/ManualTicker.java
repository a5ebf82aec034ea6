package dev.netkit.core.time;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Ticker} that moves only when told to: for tests of time-based logic. Thread-safe.
 * Starts at an arbitrary large value so code that wrongly compares raw readings instead of
 * differences is caught.
 */
public final class ManualTicker implements Ticker {
    private final AtomicLong now = new AtomicLong(Long.MAX_VALUE - Duration.ofDays(1).toNanos());

    @Override
    public long nanoTime() {
        return now.get();
    }

    /** Moves time forward by {@code amount}. */
    public void advance(Duration amount) {
        if (amount.isNegative()) {
            throw new IllegalArgumentException("amount: " + amount + " (expected: >= 0; time never goes back)");
        }
        now.addAndGet(amount.toNanos());
    }
}
