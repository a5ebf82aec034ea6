package dev.netkit.netty.internal.client;

/**
 * Hears the outcome of each attempt of a balanced request, exactly once per attempt, on the
 * thread that completed it (an I/O thread, the timer, a caller that cancelled).
 */
public interface AttemptObserver {
    /** The endpoint answered, at {@code nowNanos} ({@link System#nanoTime()}). */
    void succeeded(PendingRequest attempt, long nowNanos);

    /**
     * The attempt failed.
     *
     * @return true when a new attempt was started that will complete the caller's future; the
     *         failed attempt then does not complete
     */
    boolean failed(PendingRequest attempt, Throwable error);

    /** The caller cancelled. */
    void cancelled(PendingRequest attempt);
}
