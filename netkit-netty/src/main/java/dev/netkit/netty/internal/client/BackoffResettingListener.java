package dev.netkit.netty.internal.client;

import dev.netkit.core.balance.BalancerListener;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.pool.ConnectionPool;
import dev.netkit.core.pool.PoolGroup;

/**
 * When the balancer puts an endpoint back in service (its health check passes again, or its
 * ejection ends), ends the dial backoff of its pool: otherwise the first requests picked for it
 * fail fast for up to one more backoff step, and those failures eject it again at once.
 */
public final class BackoffResettingListener implements BalancerListener {
    private final PoolGroup<?> pools;

    public BackoffResettingListener(PoolGroup<?> pools) {
        this.pools = pools;
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
    }

    @Override
    public void returned(Endpoint endpoint, String reason) {
        reset(endpoint);
    }





}
