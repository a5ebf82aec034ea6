package dev.netkit.netty.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a recurring warning at most once per interval and says how many were suppressed, so a
 * peer that misbehaves thousands of times a second cannot flood the log. Thread-safe.
 */
public final class RateLimitedLog {
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Logger log;
    private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    public RateLimitedLog(Logger log) {
        this.log = log;
    }

    /** Logs at WARN unless a warning was logged within the last second. */
    public void warn(String message, Throwable cause) {
        long now = System.nanoTime();
        long allowed = nextAllowed.get();
        if ((allowed != Long.MIN_VALUE && now - allowed < 0) || !nextAllowed.compareAndSet(allowed, now + INTERVAL_NANOS)) {
            suppressed.incrementAndGet();
            return;
        }
        long skipped = suppressed.getAndSet(0);
        String text = skipped == 0 ? message : message + " (" + skipped + " similar messages suppressed)";
        if (cause == null) {
            log.warn(text);
        } else {
            log.warn(text, cause);
        }
    }
}
