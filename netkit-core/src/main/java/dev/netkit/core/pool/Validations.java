package dev.netkit.core.pool;

import dev.netkit.core.time.Scheduler;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Background validation of idle connections with the {@link Validator}, started by the
 * {@link Maintenance} pass: at most {@link PoolConfig#validationShare()} of the idle connections
 * at once, longest unvalidated first. A validation holds a lease on its connection (marked
 * {@code validating}) and settles once: passed, failed or timed out.
 */
final class Validations<C> extends PoolPart<C> {
    private final LeaseBag<C> bag;
    private final Validator<C> validator;
    /**
     * Validations in progress. Atomic: raised by the maintenance pass and lowered by whichever
     * thread completes a validation. (It was a volatile int raised without the lock and lowered
     * under it, so concurrent updates were lost and the count drifted: with 64 idle connections
     * and share 0.5, all 64 were validated at once.)
     */
    private final AtomicInteger validatingCount = new AtomicInteger();

    Validations(ConnectionPool<C> pool, LeaseBag<C> bag, Validator<C> validator) {
        super(pool);
        this.bag = bag;
        this.validator = validator;
    }

    void validateSome(long now) {
        PoolEntry<C>[] es = bag.entries();
        int idle = 0;
        for (PoolEntry<C> e : es) {
            if (e.leases() == 0 && !e.retiring) {
                idle++;
            }
        }
        int quota = Math.max(1, (int) (config.validationShare() * idle)) - validatingCount.get();
        if (quota <= 0) {
            return;
        }
        long interval = config.validationInterval().toNanos();
        // Longest unvalidated first. (Scanning in pool order let the first few connections, due
        // again by the time the quota freed up, be validated over and over while the ones further
        // back were never validated.) Compared as differences from now: only those are meaningful.
        List<PoolEntry<C>> due = new ArrayList<>();
        for (PoolEntry<C> e : es) {
            if (!e.retiring && !e.validating && e.leases() == 0 && now - e.lastValidatedAt >= interval) {
                due.add(e);
            }
        }
        due.sort(Comparator.comparingLong(e -> e.lastValidatedAt - now));
        for (PoolEntry<C> e : due) {
            if (quota <= 0) {
                return;
            }
            if (e.tryLease(0)) {
                if (e.retiring) {
                    bag.returnLease(e);
                    continue;
                }
                quota--;
                e.lastValidatedAt = now;
                e.validating = true;
                validatingCount.incrementAndGet();
                runValidation(e);
            }
        }
    }

    private void runValidation(PoolEntry<C> e) {
        AtomicBoolean settled = new AtomicBoolean();
        Scheduler.Cancellable timer = scheduler.schedule(() -> {
            if (settled.compareAndSet(false, true)) {
                validated(e, false);
            }
        }, config.validationTimeout().toNanos());
        try {
            validator.validate(e.connection).whenComplete((ok, error) -> {
                if (settled.compareAndSet(false, true)) {
                    timer.cancel();
                    validated(e, error == null && Boolean.TRUE.equals(ok));
                }
            });
        } catch (RuntimeException ex) {
            if (settled.compareAndSet(false, true)) {
                timer.cancel();
                validated(e, false);
            }
        }
    }

    private void validated(PoolEntry<C> e, boolean ok) {
        e.validating = false;
        validatingCount.decrementAndGet();
        counters.validations.increment();
        if (!ok && !bag.isClosed()) {
            pool.retirement.retire(e, CloseReason.VALIDATION, true);
        }
        // After close the entry is retiring already and closes (as pool_closed) with this
        // release: a ping cut short by the shutdown is not a failed validation.
        bag.returnLease(e);
    }
}
