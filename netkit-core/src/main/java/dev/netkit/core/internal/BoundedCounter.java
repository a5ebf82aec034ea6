package dev.netkit.core.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A count of permits in use that never exceeds its limit: {@link #tryAcquire()} takes one only
 * if one is free, without locking. Thread-safe. Internal: may change at any time.
 */
public final class BoundedCounter {
    private final int limit;
    private final AtomicInteger inUse = new AtomicInteger();

    public BoundedCounter(int limit) {
        this.limit = Checks.positive("limit", limit);
    }

    /** Takes a permit if fewer than {@code limit} are in use. */
    public boolean tryAcquire() {
        for (;;) {
            int n = inUse.get();
            if (n >= limit) {
                return false;
            }
            if (inUse.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Returns one permit. */
    public void release() {
        inUse.decrementAndGet();
    }

    /** Returns {@code n} permits at once. */
    public void release(int n) {
        inUse.addAndGet(-n);
    }

    public int inUse() {
        return inUse.get();
    }

    public int limit() {
        return limit;
    }
}
