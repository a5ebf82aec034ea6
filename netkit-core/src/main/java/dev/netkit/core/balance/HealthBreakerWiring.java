package dev.netkit.core.balance;

import dev.netkit.core.breaker.BreakerState;
import dev.netkit.core.breaker.BreakerTransition;
import dev.netkit.core.breaker.CircuitBreaker;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.health.HealthCheckConfig;
import dev.netkit.core.health.HealthCheckRunner;
import dev.netkit.core.health.HealthChecker;
import dev.netkit.core.health.HealthListener;
import dev.netkit.core.time.Scheduler;
import dev.netkit.core.time.Ticker;
import java.util.ArrayList;
import java.util.List;

/**
 * Gives each member its circuit breaker and active health check, and feeds their verdicts into the
 * control plane: an unhealthy or breaker-open member leaves the snapshot, a healthy one comes back
 * (in slow start), a passing check returns an ejected one early. The listeners hold their member,
 * not its address, so a late verdict never lands on a member re-added under the same address.
 * State guarded by the {@link Membership} lock.
 */
final class HealthBreakerWiring {
    private final Membership membership;
    private final BalancerConfig config;
    private final BalancerListener listener;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final HealthChecker healthChecker;
    private final HealthCheckConfig healthConfig;

    HealthBreakerWiring(Membership membership, LoadBalancer.Builder builder) {
        this.membership = membership;
        this.config = builder.config;
        this.listener = builder.listener;
        this.ticker = builder.ticker;
        this.scheduler = builder.scheduler;
        this.healthChecker = builder.healthChecker;
        this.healthConfig = builder.healthConfig;
    }

    /** Creates the breaker and starts the health check of a new {@code member}, before it can be picked. */
    void wireLocked(Member member, WeightedEndpoint endpoint) {
        if (config.breaker().enabled()) {
            Endpoint address = endpoint.address();
            member.breaker = new CircuitBreaker(address.toString(), config.breaker(), ticker,
                    transition -> breakerChanged(member, transition));
            member.breakerState = BreakerState.CLOSED.name();
        }
        if (healthChecker != null) {
            member.health = HealthCheckRunner.builder(endpoint.address(), healthChecker)
                    .config(healthConfig)
                    .listener(new MemberHealthListener(member))
                    .time(ticker, scheduler)
                    .build();
            member.activeHealthy = member.health.healthy();
            member.health.start(); // schedules the first check; runs nothing inline
        }
    }

    /** Feeds an active health check's verdicts into the control plane. */
    private final class MemberHealthListener implements HealthListener {
        /** The member this runner checks: a late verdict must not land on a member re-added under the same address. */
        private final Member member;

        MemberHealthListener(Member member) {
            this.member = member;
        }

        @Override
        public void onHealthChanged(Endpoint endpoint, boolean healthy, String reason) {
            if (!member.removed) {
                healthChanged(member, healthy, reason);
            }
        }

        @Override
        public void onCheckPassed(Endpoint endpoint) {
            if (!member.removed && member.ejected) {
                membership.outliers.unejectAndRebuild(member, "active health check passed");
            }
        }
    }

    void healthChanged(Endpoint address, boolean healthy, String reason) {
        Member member = membership.member(address);
        if (member != null) {
            healthChanged(member, healthy, reason);
        }
    }

    private void healthChanged(Member member, boolean healthy, String reason) {
        Endpoint address = member.state.endpoint().address();
        List<Runnable> events = new ArrayList<>();
        membership.lock.lock();
        try {
            if (member.removed || member.activeHealthy == healthy) {
                return;
            }
            member.activeHealthy = healthy;
            member.lastReason = reason;
            if (healthy) {
                membership.slowStart.startLocked(member);
                if (member.ejected) {
                    membership.outliers.returnLocked(member, "active health check passed", events);
                }
            }
            events.add(() -> listener.healthChanged(address, healthy, reason));
            membership.rebuildLocked(events);
        } finally {
            membership.lock.unlock();
        }
        membership.tell(events);
    }

    void checkPassed(Endpoint address) {
        Member member = membership.member(address);
        if (member != null && member.ejected) {
            membership.outliers.unejectAndRebuild(member, "active health check passed");
        }
    }

    /**
     * The breaker of {@code member} changed state. OPEN takes the endpoint out of picks, and a
     * timer asks the breaker again when its wait is over: the breaker then turns HALF_OPEN (it has
     * no timer of its own and would never be asked while out of picks), and the endpoint comes back
     * for its trial requests.
     */
    private void breakerChanged(Member member, BreakerTransition transition) {
        Endpoint address = member.state.endpoint().address();
        List<Runnable> events = new ArrayList<>();
        membership.lock.lock();
        try {
            if (membership.closed || member.removed || member.breaker == null) {
                // A removed member's breaker (its requests still finishing) must not touch a re-added
                // one; after close() listeners hear nothing more.
                return;
            }
            boolean open = transition.to() == BreakerState.OPEN;
            member.breakerState = transition.to().name();
            member.lastReason = transition.reason();
            events.add(() -> listener.breakerChanged(address, transition.from().name(), transition.to().name(), transition.reason()));
            if (open && !membership.closed) {
                CircuitBreaker breaker = member.breaker;
                scheduler.schedule(breaker::state, config.breaker().waitInOpen().toNanos());
            }
            if (member.breakerOpen != open) {
                member.breakerOpen = open;
                membership.rebuildLocked(events);
            }
        } finally {
            membership.lock.unlock();
        }
        membership.tell(events);
    }
}
