package dev.netkit.core.pool;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.time.Scheduler;
import dev.netkit.core.time.Ticker;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What every part of a {@link ConnectionPool} shares (HikariCP's {@code PoolBase}): the pool, to
 * reach the other parts through its final fields (never from a constructor: they may not be set
 * yet), and the pool's collaborators, copied into final fields of the part itself.
 */
abstract class PoolPart<C> {
    final ConnectionPool<C> pool;
    final Endpoint endpoint;
    final PoolConfig config;
    final Connector<C> connector;
    final Ticker ticker;
    final Scheduler scheduler;
    final PoolCounters counters;
    /** The pool's one lock; see package-info for what it guards. */
    final ReentrantLock lock;

    PoolPart(ConnectionPool<C> pool) {
        this.pool = pool;
        this.endpoint = pool.endpoint;
        this.config = pool.config;
        this.connector = pool.connector;
        this.ticker = pool.ticker;
        this.scheduler = pool.scheduler;
        this.counters = pool.counters;
        this.lock = pool.lock;
    }
}
