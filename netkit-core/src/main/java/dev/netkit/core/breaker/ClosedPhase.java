package dev.netkit.core.breaker;

import static dev.netkit.core.breaker.Tally.percent;

import java.util.concurrent.atomic.LongAdder;
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
 *
 * <p>Except for the most common outcome: a fast success cannot make a rate reach its threshold, so
 * it only bumps a {@link LongAdder}, folded into the window under the lock by the next outcome that
 * needs it (a failure, a slow call, a reading) or by the first success after a time window's
 * current bucket ends, so deferred successes land in the bucket they belong to. One consequence:
 * when successes alone bring the window up to {@code minimumCalls} with a failure rate already at
 * its threshold, the breaker opens on the next failure or bucket change instead of at once.
 */
final class ClosedPhase implements Phase {
    private final long sequence;
    private final BreakerConfig config;
    private final ReentrantLock lock = new ReentrantLock();
    private final OutcomeWindow window; // guarded by lock
    private boolean tripped; // guarded by lock
    private final LongAdder deferredSuccesses = new LongAdder();
    /** A fast success before this time (a time window's bucket end) is deferred; count windows always defer. */
    private volatile long foldBy;
    private final boolean timeBased;

    ClosedPhase(long sequence, BreakerConfig config, long nowNanos) {
        this.sequence = sequence;
        this.config = config;
        this.window = OutcomeWindow.of(config, nowNanos);
        Long movesAt = window.movesAt();
        this.timeBased = movesAt != null;
        this.foldBy = timeBased ? movesAt : 0;
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
        if (!failed && !slow && (!timeBased || nowNanos - foldBy < 0)) {
            deferredSuccesses.increment(); // the lock-free common case
            return null;
        }
        lock.lock();
        try {
            foldLocked();
            window.record(nowNanos, failed, slow);
            movedLocked();
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
            foldLocked();
            window.advance(nowNanos);
            movedLocked();
            return new Tally(window.calls(), window.failures(), window.slowCalls());
        } finally {
            lock.unlock();
        }
    }

    /** Deferred successes into the window's newest part, before it moves on. Caller holds the lock. */
    private void foldLocked() {
        long n = deferredSuccesses.sumThenReset();
        if (n > 0) {
            window.addSuccesses(n);
        }
    }

    private void movedLocked() {
        if (timeBased) {
            foldBy = window.movesAt();
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
