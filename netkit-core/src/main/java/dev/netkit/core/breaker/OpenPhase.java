package dev.netkit.core.breaker;

/**
 * OPEN: calls are refused until {@code waitNanos} after {@code openedAt}.
 *
 * @param cause the outcomes that opened the breaker, kept for snapshots
 */
record OpenPhase(long sequence, long openedAt, Tally cause) implements Phase {
    @Override
    public BreakerState state() {
        return BreakerState.OPEN;
    }

    /** Whether the wait in open is over at {@code nowNanos}. */
    boolean waitElapsed(long nowNanos, long waitNanos) {
        return nowNanos - openedAt >= waitNanos;
    }
}
