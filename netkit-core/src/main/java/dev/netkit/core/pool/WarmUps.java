package dev.netkit.core.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The futures of {@link ConnectionPool#warmUp()}, settled once min idle is open or cannot be. */
final class WarmUps<C> extends PoolPart<C> {
    private final LeaseBag<C> bag;
    private final int minIdle;

    // guarded by lock
    private final List<CompletableFuture<Void>> warmUps = new ArrayList<>();

    WarmUps(ConnectionPool<C> pool, LeaseBag<C> bag) {
        super(pool);
        this.bag = bag;
        this.minIdle = config.minIdle();
    }

    /** See {@link ConnectionPool#warmUp()}. */
    CompletableFuture<Void> warmUp() {
        lock.lock();
        try {
            if (bag.isClosed()) {
                return CompletableFuture.failedFuture(pool.closedException());
            }
            if (bag.openLocked() >= minIdle) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> f = new CompletableFuture<>();
            warmUps.add(f);
            return f;
        } finally {
            lock.unlock();
        }
    }

    /** Settles the warm-ups (after unlocking, through {@code out}) once min idle is open or on {@code failure}. */
    void completeLocked(Throwable failure, Outbox<C> out) {
        if (warmUps.isEmpty() || (failure == null && bag.openLocked() < minIdle)) {
            return;
        }
        out.settleWarmUps(new ArrayList<>(warmUps), failure);
        warmUps.clear();
    }
}
