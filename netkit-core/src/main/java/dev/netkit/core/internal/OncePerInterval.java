package dev.netkit.core.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets one caller through at most once per interval, on the caller's clock readings: for
 * "tell at most once a second" events and "sweep at most once a second" maintenance. Lock-free
 * (one CAS by the caller that wins); thread-safe.
 */
public final class OncePerInterval {
    private final long intervalNanos;
    private final AtomicLong last;

    private OncePerInterval(long intervalNanos, long lastNanos) {
        this.intervalNanos = intervalNanos;
        this.last = new AtomicLong(lastNanos);
    }

    /** The first {@link #tryAcquire} at or after {@code nowNanos} passes. */
    public static OncePerInterval dueNow(long intervalNanos, long nowNanos) {
        return new OncePerInterval(intervalNanos, nowNanos - intervalNanos);
    }

    /** The first pass comes one interval after {@code nowNanos}. */
    public static OncePerInterval dueAfterInterval(long intervalNanos, long nowNanos) {
        return new OncePerInterval(intervalNanos, nowNanos);
    }

    /** True for exactly one caller per interval (measured from the previous pass). */
    public boolean tryAcquire(long nowNanos) {
        long l = last.get();
        return nowNanos - l >= intervalNanos && last.compareAndSet(l, nowNanos);
    }
}
