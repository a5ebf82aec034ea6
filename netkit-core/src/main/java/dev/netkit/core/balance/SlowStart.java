package dev.netkit.core.balance;

import dev.netkit.core.time.Scheduler;
import dev.netkit.core.time.Ticker;
import java.util.ArrayList;
import java.util.List;

/**
 * Slow start: a member that joins, comes back healthy or returns from ejection ramps its effective
 * weight from {@link BalancerConfig#slowStartMinShare()} of its weight up to all of it over
 * {@link BalancerConfig#slowStartWindow()}. One timer, on the {@link Scheduler}, rebuilds the
 * snapshot in steps while any member ramps. State guarded by the {@link Membership} lock.
 */
final class SlowStart {
    private final Membership membership;
    private final BalancerConfig config;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private Scheduler.Cancellable slowStartTimer; // guarded by lock

    SlowStart(Membership membership, BalancerConfig config, Ticker ticker, Scheduler scheduler) {
        this.membership = membership;
        this.config = config;
        this.ticker = ticker;
        this.scheduler = scheduler;
    }

    void startLocked(Member member) {
        if (config.slowStartWindow().isZero()) {
            return;
        }
        member.slowStartSince = ticker.nanoTime();
        member.inSlowStart = true;
        if (slowStartTimer == null && !membership.closed) {
            scheduleSlowStartTickLocked();
        }
    }

    private void scheduleSlowStartTickLocked() {
        // Ramp in about 20 steps: each is a snapshot rebuild, so not much finer than that.
        long step = Math.max(config.slowStartWindow().toNanos() / 20, 1_000_000);
        slowStartTimer = scheduler.schedule(this::slowStartTick, step);
    }

    private void slowStartTick() {
        List<Runnable> events = new ArrayList<>();
        membership.lock.lock();
        try {
            slowStartTimer = null;
            if (membership.closed) {
                return;
            }
            membership.rebuildLocked(events);
            if (membership.members.values().stream().anyMatch(m -> m.inSlowStart)) {
                scheduleSlowStartTickLocked();
            }
        } finally {
            membership.lock.unlock();
        }
        membership.tell(events);
    }

    /** The weight {@code member} gets in the snapshot built at {@code now}; ends its slow start when the window is over. */
    int weightLocked(Member member, long now) {
        int weight = member.state.endpoint().weight();
        if (member.inSlowStart) {
            double progress = (double) (now - member.slowStartSince) / config.slowStartWindow().toNanos();
            if (progress >= 1) {
                member.inSlowStart = false;
            } else {
                weight = (int) Math.max(1, Math.round(weight * Math.max(config.slowStartMinShare(), progress)));
            }
        }
        return weight;
    }

    void cancelTickLocked() {
        if (slowStartTimer != null) {
            slowStartTimer.cancel();
        }
    }
}
