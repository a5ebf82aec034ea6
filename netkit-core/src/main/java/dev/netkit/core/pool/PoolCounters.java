package dev.netkit.core.pool;

import dev.netkit.core.endpoint.Endpoint;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The pool's counters. Hot-path ones are {@link LongAdder}s; only acquires that had to wait are
 * timed (into an HdrHistogram {@link Recorder}), immediate ones count as zero waits in the
 * snapshot, so the fast path reads no clock.
 */
final class PoolCounters {
    final LongAdder acquired = new LongAdder();
    final LongAdder firstLeases = new LongAdder();
    final LongAdder created = new LongAdder();
    final LongAdder dialFailures = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder timedOut = new LongAdder();
    final LongAdder failedFast = new LongAdder();
    final LongAdder validations = new LongAdder();
    private final LongAdder[] closed = new LongAdder[CloseReason.values().length];
    private final Recorder waits = new Recorder(3);
    private final LongAdder waited = new LongAdder();
    private final ReentrantLock snapshotLock = new ReentrantLock();
    private final Histogram allWaits = new Histogram(3);
    private long zerosAdded;

    PoolCounters() {
        for (int i = 0; i < closed.length; i++) {
            closed[i] = new LongAdder();
        }
    }

    void closed(CloseReason reason) {
        closed[reason.ordinal()].increment();
    }

    Map<CloseReason, Long> closedByReason() {
        Map<CloseReason, Long> map = new EnumMap<>(CloseReason.class);
        for (CloseReason r : CloseReason.values()) {
            map.put(r, closed[r.ordinal()].sum());
        }
        return map;
    }

    /** An acquire that waited {@code nanos} before its lease. */
    void waitedFor(long nanos) {
        waited.increment();
        waits.recordValue(Math.max(0, nanos));
    }

    PoolStats.AcquireWait acquireWait() {
        snapshotLock.lock();
        try {
            allWaits.add(waits.getIntervalHistogram());
            long immediate = acquired.sum() - waited.sum();
            if (immediate > zerosAdded) {
                allWaits.recordValueWithCount(0, immediate - zerosAdded);
                zerosAdded = immediate;
            }
            long count = allWaits.getTotalCount();
            return count == 0 ? new PoolStats.AcquireWait(0, 0, 0, 0)
                    : new PoolStats.AcquireWait(count, allWaits.getValueAtPercentile(50),
                            allWaits.getValueAtPercentile(99), allWaits.getMaxValue());
        } finally {
            snapshotLock.unlock();
        }
    }

    /** A snapshot of the pool: {@code es} tallied now, the counters summed. Under the pool's lock. */
    PoolStats snapshot(Endpoint endpoint, PoolEntry<?>[] es, int pending, int dialing, List<PoolStats.ClassWaiters> classes) {
        int idle = 0;
        int leased = 0;
        int inFlight = 0;
        int validating = 0;
        for (PoolEntry<?> e : es) {
            int n = e.leases();
            if (e.validating && n > 0) {
                validating++;
                n--;
            }
            if (n > 0) {
                leased++;
                inFlight += n;
            } else if (n == 0 && !e.validating) {
                idle++;
            }
        }
        long leases = acquired.sum();
        return new PoolStats(endpoint, es.length, idle, leased, inFlight, pending, dialing, validating,
                created.sum(), closedByReason(), dialFailures.sum(), leases,
                Math.max(0, leases - firstLeases.sum()), rejected.sum(), timedOut.sum(),
                failedFast.sum(), validations.sum(), acquireWait(), classes);
    }
}
