package dev.netkit.core.pool;

import dev.netkit.core.error.NetkitException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The acquirers that found no free connection, in arrival order (or by class of service, with a
 * {@link dev.netkit.core.qos.QosPolicy}: see {@link WaitLine}), and the locked half of leasing:
 * admitting a waiter (or refusing it: pool closed, endpoint down, {@code maxPending} reached, its
 * class full),
 * handing freed leases to waiters ({@link #dispatchLocked}), timeouts and withdrawals. The queue
 * is guarded by the pool's lock; {@link LeaseBag#waitingCount} mirrors its size for releasers.
 */
final class WaiterQueue<C> extends PoolPart<C> {
    private final LeaseBag<C> bag;

    // guarded by lock
    private final WaitLine<C> waiters;

    WaiterQueue(ConnectionPool<C> pool, LeaseBag<C> bag, dev.netkit.core.qos.QosPolicy qos) {
        super(pool);
        this.bag = bag;
        this.waiters = new WaitLine<>(qos);
    }

    int sizeLocked() {
        return waiters.size();
    }

    List<PoolStats.ClassWaiters> classesLocked() {
        return waiters.classes();
    }

    CompletableFuture<Lease<C>> acquire(long timeoutNanos, int qosClass) {
        Lease<C> lease = bag.tryAcquire();
        if (lease != null) {
            return CompletableFuture.completedFuture(lease);
        }
        Waiter<C> waiter = null;
        Outbox<C> out = new Outbox<>();
        NetkitException refused;
        lock.lock();
        try {
            if (bag.isClosed()) {
                return CompletableFuture.failedFuture(pool.closedException());
            }
            bag.waitingCount = waiters.size() + 1; // announce first, then look again (see package-info)
            lease = bag.leaseAvailable();
            if (lease != null) {
                bag.waitingCount = waiters.size();
                return CompletableFuture.completedFuture(lease);
            }
            if (pool.dialer.knownDownLocked()) {
                bag.waitingCount = waiters.size();
                counters.failedFast.increment();
                refused = pool.backoff.endpointDownLocked(pool.statsLocked());
            } else if (waiters.size() >= config.maxPending()) {
                bag.waitingCount = waiters.size();
                counters.rejected.increment();
                waiters.refused(qosClass);
                refused = new PoolExhaustedException("pool for " + endpoint + " is exhausted: maxPending "
                        + config.maxPending() + " acquirers are already waiting", pool.statsLocked());
            } else {
                waiter = new Waiter<>(ticker.nanoTime(), qosClass);
                refused = waiters.add(waiter) ? null : classFullLocked(waiter);
                if (refused == null) {
                    pool.dialer.planDialsLocked(out);
                } else {
                    waiter = null;
                }
            }
        } finally {
            lock.unlock();
        }
        if (refused != null) {
            pool.events.notifyAcquireFailed(refused);
            return CompletableFuture.failedFuture(refused);
        }
        Waiter<C> w = waiter;
        w.timer = scheduler.schedule(() -> timeOut(w), timeoutNanos);
        w.future.whenComplete((l, e) -> withdraw(w));
        out.carryOut(pool);
        return w.future;
    }

    private NetkitException classFullLocked(Waiter<C> waiter) {
        bag.waitingCount = waiters.size();
        counters.rejected.increment();
        waiters.refused(waiter.qosClass);
        return new PoolExhaustedException("pool for " + endpoint + ": " + waiters.fullMessage(waiter), pool.statsLocked());
    }

    void dispatch() {
        Outbox<C> out = new Outbox<>();
        lock.lock();
        try {
            dispatchLocked(out);
        } finally {
            lock.unlock();
        }
        out.carryOut(pool);
    }

    /** Hands free leases to waiters in arrival order (or class order), then plans the dials still needed. */
    void dispatchLocked(Outbox<C> out) {
        while (!waiters.isEmpty()) {
            Waiter<C> w = waiters.peek();
            if (w.future.isDone()) {
                waiters.poll();
                continue;
            }
            Lease<C> lease = bag.leaseAvailable();
            if (lease == null) {
                break;
            }
            waiters.poll();
            out.handoff(w, lease);
        }
        bag.waitingCount = waiters.size();
        pool.dialer.planDialsLocked(out);
    }

    /** Known down and nothing open: fails every waiter now (through {@code out}) rather than at its timeout. */
    void failAllLocked(NetkitException failure, Outbox<C> out) {
        for (Waiter<C> w : waiters.drain()) {
            out.fail(w, failure);
        }
        bag.waitingCount = 0;
    }

    /** Empties the queue for {@link ConnectionPool#close()}; the caller fails the waiters after unlocking. */
    List<Waiter<C>> drainLocked() {
        List<Waiter<C>> drained = waiters.drain();
        bag.waitingCount = 0;
        return drained;
    }

    private void timeOut(Waiter<C> w) {
        if (w.future.isDone()) {
            return;
        }
        // Leave the queue before failing the future, so whoever the failure wakes sees the
        // pending count without this waiter. If a dispatch already took it, its hand-off may be
        // queued behind a slow callback: the timeout still holds, and the hand-off, finding the
        // future done, passes the lease on.
        PoolStats snapshot; // as the waiter saw it: itself still counted as waiting
        lock.lock();
        try {
            snapshot = pool.statsLocked();
            if (waiters.remove(w)) {
                bag.waitingCount = waiters.size();
            }
        } finally {
            lock.unlock();
        }
        AcquireTimeoutException e = new AcquireTimeoutException("no connection to " + endpoint + " became available within "
                + Duration.ofNanos(ticker.nanoTime() - w.since) + " (maxTotal " + config.maxTotal()
                + ", maxLeasesPerConnection " + config.maxLeasesPerConnection() + ")", snapshot);
        if (w.future.completeExceptionally(e)) {
            counters.timedOut.increment();
            pool.events.notifyAcquireFailed(e);
        }
    }

    /** A waiter's future completed: if not by a handoff, take it out of the queue. */
    private void withdraw(Waiter<C> w) {
        if (w.timer != null) {
            w.timer.cancel();
        }
        lock.lock();
        try {
            if (waiters.remove(w)) {
                bag.waitingCount = waiters.size();
            }
        } finally {
            lock.unlock();
        }
    }
}
