package dev.netkit.core.breaker;

/**
 * The recent outcomes a CLOSED breaker judges by, with running totals so that recording and
 * reading are O(1). Not thread-safe: {@link ClosedPhase} guards it.
 */
interface OutcomeWindow {
    /** Records one call's outcome at {@code nowNanos}, first dropping what fell out of the window. */
    void record(long nowNanos, boolean failed, boolean slow);

    /**
     * Adds {@code n} successful, fast calls to the newest part of the window without moving it
     * (successes recorded late, in a batch: see {@link ClosedPhase}).
     */
    void addSuccesses(long n);

    /**
     * When the window next moves by itself (a time window's current bucket ends), in ticker
     * terms; {@code null} when only new outcomes move it (a count window).
     */
    Long movesAt();

    /** Drops what fell out of the window by {@code nowNanos}. */
    void advance(long nowNanos);

    /** Calls in the window. */
    long calls();

    /** Failed calls in the window. */
    long failures();

    /** Slow calls in the window. */
    long slowCalls();

    /** The window configured by {@code config}, starting empty at {@code nowNanos}. */
    static OutcomeWindow of(BreakerConfig config, long nowNanos) {
        return switch (config.windowType()) {
            case COUNT_BASED -> new CountWindow(config.windowSize());
            case TIME_BASED -> new TimeWindow(config.windowSize(), nowNanos);
        };
    }
}
