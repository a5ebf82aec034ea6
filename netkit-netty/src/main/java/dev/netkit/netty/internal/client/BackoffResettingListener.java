package dev.netkit.netty.internal.client;

import dev.netkit.core.balance.BalancerListener;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.pool.ConnectionPool;
import dev.netkit.core.pool.PoolGroup;
import java.time.Duration;

/**
 * When the balancer puts an endpoint back in service (its health check passes again, or its
 * ejection ends), ends the dial backoff of its pool: otherwise the first requests picked for it
 * fail fast for up to one more backoff step, and those failures eject it again at once. Passes
 * every event on.
 */
public final class BackoffResettingListener implements BalancerListener {
    private final PoolGroup<?> pools;
    private final BalancerListener next;

    public BackoffResettingListener(PoolGroup<?> pools, BalancerListener next) {
        this.pools = pools;
        this.next = next;
    }

    private void reset(Endpoint endpoint) {
        ConnectionPool<?> pool = pools.pool(endpoint);
        if (pool != null) {
            pool.resetBackoff();
        }
    }

    @Override
    public void healthChanged(Endpoint endpoint, boolean healthy, String reason) {
        if (healthy) {
            reset(endpoint);
        }
        next.healthChanged(endpoint, healthy, reason);
    }

    @Override
    public void returned(Endpoint endpoint, String reason) {
        reset(endpoint);
        next.returned(endpoint, reason);
    }

    @Override
    public void ejected(Endpoint endpoint, String reason, Duration duration) {
        next.ejected(endpoint, reason, duration);
    }

    @Override
    public void ejectionSkipped(Endpoint endpoint, String reason) {
        next.ejectionSkipped(endpoint, reason);
    }

    @Override
    public void breakerChanged(Endpoint endpoint, String from, String to, String reason) {
        next.breakerChanged(endpoint, from, to, reason);
    }

    @Override
    public void panicChanged(boolean panic, int inService, int total) {
        next.panicChanged(panic, inService, total);
    }

    @Override
    public void membershipChanged(Endpoint endpoint, String change) {
        next.membershipChanged(endpoint, change);
    }
}
