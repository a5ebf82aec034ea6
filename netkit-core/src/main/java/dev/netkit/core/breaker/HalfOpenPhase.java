package dev.netkit.core.breaker;

import static dev.netkit.core.breaker.Tally.percent;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * HALF_OPEN: at most {@code permitted} trial calls are let through; the verdict over their
 * outcomes closes or reopens the breaker.
 *
 * <p>The verdict is reached as soon as the outcomes so far settle it, whatever the remaining
 * trials do: with 10 trials and a 50 % threshold, the 5th failure reopens at once (no point
 * waiting for five more calls to a dead endpoint), and the 6th success closes at once. Outcomes
 * of trials still in flight then go to the next phase, like any call's.
 *
 * <p>Slots are taken lock-free (a CAS on the free count), so concurrent acquirers never get more
 * than {@code permitted} between them; outcomes and returned slots take a small lock, as they
 * are at most a handful per phase.
 */
final class HalfOpenPhase implements Phase {
    /** What the trial outcomes so far say. */
    enum Verdict { PENDING, CLOSE, REOPEN }

    private final long sequence;
    private final int permitted;
    private final double failureThreshold;
    private final double slowThreshold;
    private final AtomicInteger free;
    private final ReentrantLock lock = new ReentrantLock();
    private int recorded; // guarded by lock
    private int failures; // guarded by lock
    private int slow; // guarded by lock
    private boolean decided; // guarded by lock

    HalfOpenPhase(long sequence, BreakerConfig config) {
        this.sequence = sequence;
        this.permitted = config.permittedCallsInHalfOpen();
        this.failureThreshold = config.failureRateThreshold();
        this.slowThreshold = config.slowCallRateThreshold();
        this.free = new AtomicInteger(permitted);
    }

    @Override
    public long sequence() {
        return sequence;
    }

    @Override
    public BreakerState state() {
        return BreakerState.HALF_OPEN;
    }

    /** Takes a trial slot if one is free. */
    boolean tryTake() {
        for (;;) {
            int f = free.get();
            if (f <= 0) {
                return false;
            }
            if (free.compareAndSet(f, f - 1)) {
                return true;
            }
        }
    }

    /**
     * Returns a slot taken but not used. Never frees more slots than trials have not yet
     * reported, so a stray return (from a permission of an earlier phase) cannot push the trials
     * past {@code permitted} in total.
     */
    void giveBack() {
        lock.lock();
        try {
            for (;;) {
                int f = free.get();
                if (decided || f + recorded >= permitted) {
                    return;
                }
                if (free.compareAndSet(f, f + 1)) {
                    return;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Records one trial outcome and returns the verdict; CLOSE or REOPEN only once per phase. */
    Verdict record(boolean failed, boolean slowCall) {
        lock.lock();
        try {
            if (decided) {
                return Verdict.PENDING;
            }
            recorded++;
            if (failed) {
                failures++;
            }
            if (slowCall) {
                slow++;
            }
            Verdict v = verdict();
            decided = v != Verdict.PENDING;
            return v;
        } finally {
            lock.unlock();
        }
    }

    private Verdict verdict() {
        int remaining = Math.max(0, permitted - recorded);
        if ((double) failures / permitted >= failureThreshold || (double) slow / permitted >= slowThreshold) {
            return Verdict.REOPEN; // reached even if every remaining trial succeeds
        }
        if ((double) (failures + remaining) / permitted < failureThreshold
                && (double) (slow + remaining) / permitted < slowThreshold) {
            return Verdict.CLOSE; // stays below even if every remaining trial fails
        }
        return Verdict.PENDING;
    }

    /** Trial outcomes recorded so far (frozen once decided). */
    Tally tally() {
        lock.lock();
        try {
            return new Tally(recorded, failures, slow);
        } finally {
            lock.unlock();
        }
    }

    /** Why the trials reached {@code verdict}, with the figures. */
    String reason(Verdict verdict) {
        Tally t = tally();
        double failureRate = (double) t.failures() / permitted;
        double slowRate = (double) t.slow() / permitted;
        String counts = " (" + t.failures() + " failed, " + t.slow() + " slow of " + permitted + " trial calls; "
                + t.calls() + " reported)";
        if (verdict == Verdict.REOPEN) {
            String rates = failureRate >= failureThreshold
                    ? "failure rate " + percent(failureRate) + " >= " + percent(failureThreshold)
                    : "slow-call rate " + percent(slowRate) + " >= " + percent(slowThreshold);
            return "trial calls: " + rates + " whatever the rest do" + counts;
        }
        return "trial calls: failure rate < " + percent(failureThreshold) + " and slow-call rate < "
                + percent(slowThreshold) + " whatever the rest do" + counts;
    }
}
