package dev.netkit.core.balance;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.time.Scheduler;
import dev.netkit.core.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Passive outlier detection ({@link OutlierConfig}, after Envoy's outlier detector): ejection on
 * consecutive failures (reported by the {@link DataPlane}) or on the failure rate judged by a sweep
 * every interval, the return when an ejection's timer ends (or an active check passes), and the
 * ejection multiplier. Each ejection schedules its own return, numbered by {@link Member#ejections}
 * so that a stale timer does nothing. State guarded by the {@link Membership} lock.
 */
final class OutlierDetector {
    private final Membership membership;
    private final BalancerConfig config;
    private final BalancerListener listener;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final LongAdder ejectionsTotal = new LongAdder();
    private Scheduler.Cancellable sweepTimer; // guarded by lock

    OutlierDetector(Membership membership, BalancerConfig config, BalancerListener listener, Ticker ticker,
            Scheduler scheduler) {
        this.membership = membership;
        this.config = config;
        this.listener = listener;
        this.ticker = ticker;
        this.scheduler = scheduler;
    }

    long ejectionsTotal() {
        return ejectionsTotal.sum();
    }

    void eject(Member member, String reason) {
        List<Runnable> events = new ArrayList<>();
        membership.lock.lock();
        try {
            ejectLocked(member, reason, events);
        } finally {
            membership.lock.unlock();
        }
        membership.tell(events);
    }

    private void ejectLocked(Member member, String reason, List<Runnable> events) {
        if (membership.closed || member.removed || member.ejected) {
            return;
        }
        Endpoint address = member.state.endpoint().address();
        Map<Endpoint, Member> members = membership.members;
        int ejectedNow = 0;
        for (Member m : members.values()) {
            ejectedNow += m.ejected ? 1 : 0;
        }
        int allowed = Math.max(1, (int) Math.floor(config.outlier().maxEjectedShare() * members.size()));
        if (ejectedNow >= allowed) {
            String why = reason + "; not ejected: " + ejectedNow + " of " + members.size()
                    + " already ejected (max ejected share " + config.outlier().maxEjectedShare() + ")";
            events.add(() -> listener.ejectionSkipped(address, why));
            member.consecutiveFailures.set(0); // judged again after as many failures, not on every one
            return;
        }
        member.ejected = true;
        member.ejectionMultiplier++;
        member.ejections++;
        member.consecutiveFailures.set(0);
        restartWindow(member);
        member.lastReason = reason;
        ejectionsTotal.increment();
        Duration duration = ejectionTime(member.ejectionMultiplier);
        long ejection = member.ejections;
        scheduler.schedule(() -> endEjection(member, ejection, "ejection of " + duration.toMillis() + " ms ended"), duration.toNanos());
        events.add(() -> listener.ejected(address, reason, duration));
        membership.rebuildLocked(events);
    }

    /** The failure-rate window of {@code member} starts over now. Caller holds the lock. */
    private static void restartWindow(Member member) {
        member.windowStartSuccesses = member.state.successes();
        member.windowStartFailures = member.state.failures();
    }

    private Duration ejectionTime(int multiplier) {
        OutlierConfig outlier = config.outlier();
        long base = outlier.baseEjection().toNanos();
        long max = outlier.maxEjection().toNanos();
        return Duration.ofNanos(multiplier > max / base ? max : base * multiplier);
    }

    /** An ejection's timer: lifts that ejection only, not a later one after an early return. */
    private void endEjection(Member member, long ejection, String reason) {
        if (member.ejections == ejection) {
            unejectAndRebuild(member, reason, ejection);
        }
    }

    void unejectAndRebuild(Member member, String reason) {
        unejectAndRebuild(member, reason, -1);
    }

    /** @param ejection the ejection to lift, or -1 for whichever is in force */
    private void unejectAndRebuild(Member member, String reason, long ejection) {
        List<Runnable> events = new ArrayList<>();
        membership.lock.lock();
        try {
            if (membership.closed || member.removed || !member.ejected || (ejection >= 0 && member.ejections != ejection)) {
                return;
            }
            returnLocked(member, reason, events);
            membership.rebuildLocked(events);
        } finally {
            membership.lock.unlock();
        }
        membership.tell(events);
    }

    /** Puts an ejected {@code member} back in service (in slow start, when configured); the caller rebuilds. */
    void returnLocked(Member member, String reason, List<Runnable> events) {
        member.ejected = false;
        member.returnedAt = ticker.nanoTime();
        member.lastReason = reason;
        member.consecutiveFailures.set(0);
        membership.slowStart.startLocked(member);
        Endpoint address = member.state.endpoint().address();
        events.add(() -> listener.returned(address, reason));
    }

    void scheduleSweepLocked() {
        sweepTimer = scheduler.schedule(this::sweep, config.outlier().interval().toNanos());
    }

    void cancelSweepLocked() {
        if (sweepTimer != null) {
            sweepTimer.cancel();
        }
    }

    /** Judges failure rates over the interval that ended, and shrinks multipliers of endpoints that stayed well. */
    private void sweep() {
        List<Runnable> events = new ArrayList<>();
        membership.lock.lock();
        try {
            if (membership.closed) {
                return;
            }
            OutlierConfig outlier = config.outlier();
            long now = ticker.nanoTime();
            for (Member member : List.copyOf(membership.members.values())) {
                long successesNow = member.state.successes();
                long failuresNow = member.state.failures();
                long failures = failuresNow - member.windowStartFailures;
                long requests = successesNow - member.windowStartSuccesses + failures;
                member.windowStartSuccesses = successesNow;
                member.windowStartFailures = failuresNow;
                if (member.ejected) {
                    continue;
                }
                if (requests >= outlier.minimumRequests() && failures >= outlier.failureRate() * requests) {
                    ejectLocked(member, String.format("failure rate %.1f%% over %d requests in %d ms (threshold %.1f%%)",
                            100.0 * failures / requests, requests, outlier.interval().toMillis(), 100 * outlier.failureRate()), events);
                } else if (member.ejectionMultiplier > 0 && now - member.returnedAt >= outlier.interval().toNanos()) {
                    member.ejectionMultiplier--; // a whole interval in service forgives one ejection (Envoy)
                }
            }
            scheduleSweepLocked();
        } finally {
            membership.lock.unlock();
        }
        membership.tell(events);
    }
}
