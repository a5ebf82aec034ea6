package dev.netkit.core.pool;

import dev.netkit.core.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background pass (HikariCP's {@code HouseKeeper}), every {@link PoolConfig#maintenanceInterval()}
 * on the scheduler: retires connections past their jittered lifetime, closes idle ones above min
 * idle, ends the dial backoff once a new connection survived it, starts validations
 * ({@link Validations}) and refills min idle (a kick). One pass at a time: each schedules the next.
 */
final class Maintenance<C> extends PoolPart<C> {
    private static final Logger log = LoggerFactory.getLogger(ConnectionPool.class);

    private final LeaseBag<C> bag;
    private final DialBackoff<C> backoff;
    private final int maxLeases;
    private final Validations<C> validations; // null without a validator

    private Scheduler.Cancellable next; // guarded by lock

    Maintenance(ConnectionPool<C> pool, LeaseBag<C> bag, DialBackoff<C> backoff, Validator<C> validator) {
        super(pool);
        this.bag = bag;
        this.backoff = backoff;
        this.maxLeases = config.maxLeasesPerConnection();
        this.validations = validator == null ? null : new Validations<>(pool, bag, validator);
    }

    /** Schedules the first pass. */
    void start() {
        lock.lock();
        try {
            next = scheduler.schedule(this::maintain, config.maintenanceInterval().toNanos());
        } finally {
            lock.unlock();
        }
    }

    /** Cancels the next pass; the pool is closed, so none is scheduled after it. */
    void stopLocked() {
        if (next != null) {
            next.cancel();
        }
    }

    private void maintain() {
        if (bag.isClosed()) {
            return;
        }
        try {
            long now = ticker.nanoTime();
            PoolEntry<C>[] es = bag.entries();
            // Count what min idle counts in planDialsLocked: connections in service with room for a
            // lease. (Counting every live connection closed idle ones while leased ones made up the
            // number, and planDialsLocked at once dialled replacements for them: churn.)
            int spare = 0;
            for (PoolEntry<C> e : es) {
                if (!e.retiring && e.hasRoom(maxLeases)) {
                    spare++;
                }
            }
            boolean survivor = false;
            long failedAt = backoff.lastFailureAt(); // a benign race: read without the lock
            for (PoolEntry<C> e : es) {
                if (e.retiring) {
                    continue;
                }
                // Leases out (other than a validation's) mean in use right now, so idle time starts
                // when they end. (With only the touched flag, set when a lease starts, a lease held
                // longer than the idle timeout was closed as idle right after its release.)
                boolean touched = e.takeTouched();
                if (touched || e.leases() > (e.validating ? 1 : 0)) {
                    e.lastUsedAt = now;
                }
                if (backoff.isFailing() && e.createdAt - failedAt > 0
                        && now - e.createdAt >= config.dialBackoff().initial().toNanos()) {
                    survivor = true; // opened after the last failure and outlived the early-death window
                }
                if (config.maxLifetime().toNanos() > 0 && now - e.expiresAt >= 0) {
                    boolean counted = e.hasRoom(maxLeases);
                    pool.retirement.retire(e, CloseReason.LIFETIME, false);
                    if (counted) {
                        spare--;
                    }
                } else if (config.idleTimeout().toNanos() > 0 && spare > config.minIdle() && e.leases() == 0
                        && now - e.lastUsedAt >= config.idleTimeout().toNanos() && e.tryCloseIdle()) {
                    e.retire(CloseReason.IDLE);
                    pool.retirement.finish(e, CloseReason.IDLE);
                    spare--;
                }
            }
            if (survivor) {
                lock.lock();
                try {
                    backoff.healthyLocked(); // a connection that outlived the first backoff step: healthy again
                } finally {
                    lock.unlock();
                }
            }
            if (validations != null) {
                validations.validateSome(now);
            }
            pool.kick();
        } catch (RuntimeException e) {
            log.warn("pool maintenance for {} failed", endpoint, e);
        } finally {
            lock.lock();
            try {
                if (!bag.isClosed()) {
                    next = scheduler.schedule(this::maintain, config.maintenanceInterval().toNanos());
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
