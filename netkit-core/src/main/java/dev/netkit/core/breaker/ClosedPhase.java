package dev.netkit.core.breaker;

import static dev.netkit.core.breaker.Tally.percent;

import java.util.concurrent.locks.ReentrantLock;

/**
 * CLOSED: every call is permitted and its outcome recorded in the window; the breaker opens once
 * the window holds at least {@code minimumCalls} calls and a rate reaches its threshold.
 *
 * <p>Recording takes a {@link ReentrantLock}: the window's ring slot and its three totals (and,
 * for a time window, the eviction of old buckets) must change together, and a lock-free version
 * would need either a CAS loop over packed counters or per-bucket epochs, for a path that runs
 * once per finished call, after network I/O that costs a thousand times more than an uncontended
 * lock. The breaker is per endpoint, which spreads contention. Not {@code synchronized}: a virtual
 * thread blocked on a monitor pins its carrier on Java 21.
 */
final class ClosedPhase implements Phase {
    private final long sequence;
    private final BreakerConfig config;
    private final ReentrantLock lock = new ReentrantLock();
    private final OutcomeWindow window; // guarded by lock
    private boolean tripped; // guarded by lock

    ClosedPhase(long sequence, BreakerConfig config, long nowNanos) {
        this.sequence = sequence;
        this.config = config;
        this.window = OutcomeWindow.of(config, nowNanos);
    }

    @Override
    public long sequence() {
        return sequence;
    }

    @Override
    public BreakerState state() {
        return BreakerState.CLOSED;
    }

    /**
     * Records one outcome. Returns the window's counts if this outcome made a rate reach its
     * threshold (the breaker should open), else null; only once per phase, so the threads that
     * record in the same instant do not all build an OPEN phase to race with.
     */
    Tally record(long nowNanos, boolean failed, boolean slow) {
        lock.lock();
        try {
            window.record(nowNanos, failed, slow);
            if (tripped) {
                return null;
            }
            long calls = window.calls();
            if (calls < config.minimumCalls()) {
                return null;
            }
            // Division, not "failures >= threshold × calls": 0.1 × 30 is 3.0000000000000004.
            if ((double) window.failures() / calls >= config.failureRateThreshold()
                    || (double) window.slowCalls() / calls >= config.slowCallRateThreshold()) {
                tripped = true;
                return new Tally(calls, window.failures(), window.slowCalls());
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** The window's counts at {@code nowNanos}. */
    Tally tally(long nowNanos) {
        lock.lock();
        try {
            window.advance(nowNanos);
            return new Tally(window.calls(), window.failures(), window.slowCalls());
        } finally {
            lock.unlock();
        }
    }

    /** Why {@code cause} opens the breaker, with both rates and their thresholds. */
    String openReason(Tally cause) {
        return "failure rate " + percent(cause.failureRate()) + (cause.failureRate() >= config.failureRateThreshold()
                ? " >= " : " < ") + percent(config.failureRateThreshold())
                + ", slow-call rate " + percent(cause.slowRate()) + (cause.slowRate() >= config.slowCallRateThreshold()
                ? " >= " : " < ") + percent(config.slowCallRateThreshold())
                + " over the last " + cause.calls() + " calls";
    }
}
