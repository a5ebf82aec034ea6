package dev.netkit.core.pool;

import dev.netkit.core.error.NetkitException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Work decided under the lock and carried out after it, so no foreign code runs locked. */
final class Outbox<C> {
    private static final Logger log = LoggerFactory.getLogger(ConnectionPool.class);
    private List<Object> pairs;
    private List<CompletableFuture<Void>> warmUps;
    private Throwable warmUpFailure;
    int dials;

    void settleWarmUps(List<CompletableFuture<Void>> futures, Throwable failure) {
        warmUps = futures;
        warmUpFailure = failure;
    }
    long dialEpoch;

    @SuppressWarnings("unchecked")
    private void completeAll(ConnectionPool<C> pool) {
        for (int i = 0; i < pairs.size(); i += 2) {
            Waiter<C> w = (Waiter<C>) pairs.get(i);
            Object what = pairs.get(i + 1);
            try {
                if (what instanceof Lease<?> l) {
                    handOff(pool, w, (Lease<C>) l);
                } else {
                    // Counted before the caller can see the failure, so stats read after it include it.
                    pool.counters.failedFast.increment();
                    if (w.future.completeExceptionally((NetkitException) what)) {
                        pool.events.notifyAcquireFailed((NetkitException) what);
                    } else {
                        pool.counters.failedFast.decrement(); // the waiter had given up already
                    }
                }
            } catch (Throwable e) { // one failing pair must not strand the waiters after it
                log.warn("pool hand-off failed", e);
            }
        }
    }

    private static <C> void handOff(ConnectionPool<C> pool, Waiter<C> w, Lease<C> lease) {
        if (w.future.complete(lease)) {
            pool.counters.waitedFor(pool.ticker.nanoTime() - w.since);
            return;
        }
        // The waiter gave up meanwhile: this lease reached nobody. Undo its counting, pass it on.
        pool.counters.acquired.decrement();
        if (lease.first) {
            pool.counters.firstLeases.decrement();
            lease.entry.leasedBefore = false;
        }
        lease.release();
    }

    void handoff(Waiter<C> w, Lease<C> lease) {
        add(w, lease);
    }

    void fail(Waiter<C> w, NetkitException e) {
        add(w, e);
    }

    private void add(Waiter<C> w, Object what) {
        if (pairs == null) {
            pairs = new ArrayList<>(4);
        }
        pairs.add(w);
        pairs.add(what);
    }

    void carryOut(ConnectionPool<C> pool) {
        if (pairs != null) {
            Trampoline.run(() -> completeAll(pool));
        }
        if (warmUps != null) {
            for (CompletableFuture<Void> f : warmUps) {
                if (warmUpFailure == null) {
                    f.complete(null);
                } else {
                    f.completeExceptionally(warmUpFailure);
                }
            }
        }
        for (int i = 0; i < dials; i++) {
            pool.dialer.startDial(dialEpoch);
        }
    }
}
