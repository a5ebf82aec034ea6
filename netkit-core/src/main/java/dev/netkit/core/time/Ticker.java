package dev.netkit.core.time;

/**
 * A source of monotonic nanoseconds, injected into everything time-based (backoff, deadlines of
 * background work, later eviction, ejection and breakers) so tests can drive time by hand
 * instead of sleeping. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Ticker {
    /** Nanoseconds from an arbitrary origin; only differences are meaningful (like {@link System#nanoTime()}). */
    long nanoTime();

    /** The system's monotonic clock. */
    static Ticker system() {
        return System::nanoTime;
    }
}
