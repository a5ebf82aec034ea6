package dev.netkit.core.pool;

import java.util.Arrays;

/**
 * The pool's connections and the lock-free half of leasing (HikariCP's {@code ConcurrentBag}):
 * borrow is a scan of the copy-on-write {@link #entries} array and a CAS on one entry's lease
 * count; requite is a decrement plus one volatile read of {@link #waitingCount}, and only when
 * someone waits does it take the lock ({@link WaiterQueue#dispatch()}). The array is replaced
 * under the pool's lock only, by {@link #addLocked} and {@link #removeLocked}.
 *
 * <p>The pool's {@code closed} flag lives here because the fast path reads it first.
 */
final class LeaseBag<C> extends PoolPart<C> {
    @SuppressWarnings("rawtypes")
    private static final PoolEntry[] NO_ENTRIES = new PoolEntry[0];

    private final int maxLeases;
    private final long leakThresholdNanos;

    @SuppressWarnings("unchecked")
    private volatile PoolEntry<C>[] entries = NO_ENTRIES;
    /**
     * Acquirers waiting. Written under the lock by {@link WaiterQueue} (a would-be waiter raises it
     * before scanning again); read without it by releasers, after their decrement.
     */
    volatile int waitingCount;
    private volatile boolean closed;

    LeaseBag(ConnectionPool<C> pool) {
        super(pool);
        this.maxLeases = config.maxLeasesPerConnection();
        this.leakThresholdNanos = config.leakDetectionThreshold().toNanos();
    }

    PoolEntry<C>[] entries() {
        return entries;
    }

    boolean isEmpty() {
        return entries.length == 0;
    }

    boolean isClosed() {
        return closed;
    }

    /** Under the lock; once. */
    void markClosedLocked() {
        closed = true;
    }

    /** Leases outstanding now (background validations excluded). Cheap: no lock. */
    int inFlight() {
        int n = 0;
        for (PoolEntry<C> e : entries) {
            int leases = e.leases();
            if (leases > 0) {
                n += e.validating ? leases - 1 : leases;
            }
        }
        return n;
    }

    /** Connections in service (not retiring). */
    int openLocked() {
        int n = 0;
        for (PoolEntry<C> e : entries) {
            if (!e.retiring) {
                n++;
            }
        }
        return n;
    }

    // ---- borrowing --------------------------------------------------------------------------

    Lease<C> tryAcquire() {
        return closed ? null : leaseAvailable();
    }

    /** Scans for a connection with room and leases it. No lock. */
    Lease<C> leaseAvailable() {
        PoolEntry<C>[] es = entries;
        if (maxLeases == 1) {
            for (PoolEntry<C> e : es) {
                if (e.leases() == 0 && !e.retiring && e.tryLease(0)) {
                    Lease<C> lease = checkout(e);
                    if (lease != null) {
                        return lease;
                    }
                }
            }
            return null;
        }
        for (int attempt = 0; attempt < 8; attempt++) {
            PoolEntry<C> best = null;
            int bestLoad = maxLeases;
            for (PoolEntry<C> e : es) {
                int n = e.leases();
                if (n >= 0 && n < bestLoad && !e.retiring) {
                    best = e;
                    bestLoad = n;
                    if (n == 0) {
                        break;
                    }
                }
            }
            if (best == null) {
                return null;
            }
            if (best.tryLease(bestLoad)) {
                Lease<C> lease = checkout(best);
                if (lease != null) {
                    return lease;
                }
                es = entries;
            }
        }
        return null;
    }

    /** Completes a lease after the CAS: re-checks retirement and usability. May run under the lock. */
    private Lease<C> checkout(PoolEntry<C> e) {
        if (e.retiring) {
            backOut(e, false); // retired between the scan and the CAS
            return null;
        }
        if (!usable(e)) {
            e.retire(CloseReason.PEER_CLOSED);
            backOut(e, true);
            return null;
        }
        counters.acquired.increment();
        boolean first = !e.leasedBefore;
        if (first) {
            e.leasedBefore = true;
            counters.firstLeases.increment();
        }
        e.touch();
        Lease<C> lease = new Lease<>(this, e, first);
        if (leakThresholdNanos > 0) {
            lease.acquiredAt = new Throwable("lease of " + e + " to " + endpoint + " acquired here");
            lease.leakCheck = scheduler.schedule(lease::reportLeakIfHeld, leakThresholdNanos);
        }
        return lease;
    }

    /** The connector's cheap check; a connector that throws loses that connection, never a lease or a waiter. */
    private boolean usable(PoolEntry<C> e) {
        try {
            return connector.isUsable(e.connection);
        } catch (RuntimeException ex) {
            org.slf4j.LoggerFactory.getLogger(ConnectionPool.class)
                    .warn("connector.isUsable failed for a connection to {}; treating it as unusable", endpoint, ex);
            return false;
        }
    }

    // ---- requiting --------------------------------------------------------------------------

    /** Called once per lease by {@link Lease}. */
    void endLease(PoolEntry<C> e, boolean invalidate) {
        if (invalidate) {
            pool.retirement.retire(e, CloseReason.ERROR, true);
        }
        returnLease(e);
    }

    /**
     * Undoes a lease taken by {@link #checkout} on a connection that turned out retired or dead.
     * Under the lock (a dispatch), the close is left to the scheduler so that no connector or
     * waiter code runs locked.
     */
    private void backOut(PoolEntry<C> e, boolean closeNow) {
        int left = e.release();
        boolean close = closeNow || (left == 0 && e.tryCloseIdle());
        if (close) {
            if (lock.isHeldByCurrentThread()) {
                scheduler.schedule(() -> pool.retirement.finish(e, e.retireReason), 0);
            } else {
                pool.retirement.finish(e, e.retireReason);
            }
        }
    }

    void returnLease(PoolEntry<C> e) {
        int left = e.release();
        if (left == 0 && e.retiring && e.tryCloseIdle()) {
            pool.retirement.finish(e, e.retireReason);
        }
        if (waitingCount > 0) {
            pool.waiters.dispatch();
        }
    }

    void leakSuspected(Lease<C> lease) {
        pool.events.leakSuspected(lease);
    }

    // ---- membership (under the lock) ---------------------------------------------------------

    void addLocked(PoolEntry<C> entry) {
        PoolEntry<C>[] es = entries;
        PoolEntry<C>[] grown = Arrays.copyOf(es, es.length + 1);
        grown[es.length] = entry;
        entries = grown;
    }

    void removeLocked(PoolEntry<C> e) {
        PoolEntry<C>[] es = entries;
        int i = Arrays.asList(es).indexOf(e);
        if (i >= 0) {
            PoolEntry<C>[] shrunk = Arrays.copyOf(es, es.length - 1);
            System.arraycopy(es, i + 1, shrunk, i, es.length - i - 1);
            entries = shrunk;
        }
    }
}
