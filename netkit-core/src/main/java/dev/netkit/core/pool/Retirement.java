package dev.netkit.core.pool;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes connections out of service ({@link #retire}) and closes each exactly once
 * ({@link #finish}): closes it at the connector, removes it from the {@link LeaseBag}, delays the
 * refill after a lost connection, and lets the waiters and dials react to the freed slot.
 */
final class Retirement<C> extends PoolPart<C> {
    private static final Logger log = LoggerFactory.getLogger(ConnectionPool.class);

    private final LeaseBag<C> bag;

    Retirement(ConnectionPool<C> pool, LeaseBag<C> bag) {
        super(pool);
        this.bag = bag;
    }

    /**
     * Takes {@code e} out of service. With {@code now}, closes it at once even with leases out
     * (it is broken); otherwise it closes when idle, which may be right away.
     */
    void retire(PoolEntry<C> e, CloseReason reason, boolean now) {
        e.retire(reason);
        if (now) {
            finish(e, reason);
        } else if (e.tryCloseIdle()) {
            finish(e, e.retireReason);
        }
    }

    /** The final close of an entry: exactly once. */
    void finish(PoolEntry<C> e, CloseReason reason) {
        if (!e.markFinished()) {
            return;
        }
        boolean lost = reason == CloseReason.PEER_CLOSED || reason == CloseReason.ERROR || reason == CloseReason.VALIDATION;
        // Close first, then free the slot: once the entry leaves `entries` any thread may plan a
        // dial in its place. (Closing after unlocking let a new dial start while the old
        // connection was still open: maxTotal + 1 open at the connector.)
        try {
            connector.close(e.connection);
        } catch (RuntimeException ex) {
            log.warn("closing {} to {} failed", e, endpoint, ex);
        }
        Outbox<C> out = new Outbox<>();
        lock.lock();
        try {
            bag.removeLocked(e);
            if (lost && config.redialDelayMax().toNanos() > 0) {
                pool.backoff.spreadRefillLocked();
            }
            pool.waiters.dispatchLocked(out);
        } finally {
            lock.unlock();
        }
        counters.closed(reason);
        pool.events.notifyClosed(reason);
        out.carryOut(pool);
    }
}
