package dev.netkit.core.internal;

import java.util.Arrays;

/**
 * Sliding sums over time: a ring of {@code buckets} buckets of {@code bucketNanos} each, every
 * bucket holding {@code counters} counts, with a running total per counter that is reduced as
 * buckets fall out (subtract-on-evict), so adding and reading are O(1) and moving time forward
 * costs O(1) amortised (each bucket is cleared once per bucket period, and a jump longer than the
 * whole ring clears it once).
 *
 * <p>The window covers the current, partly elapsed bucket and the {@code buckets - 1} before it:
 * between {@code (buckets - 1) × bucketNanos} and {@code buckets × bucketNanos} of history,
 * see {@link #spanNanos(long)}. Times are differences from the first reading, so any ticker
 * (even one that wraps past {@link Long#MAX_VALUE}) works.
 *
 * <p>Not thread-safe: the owner guards it. Internal: may change at any time.
 */
public final class TimeBuckets {
    private final int buckets;
    private final int counters;
    private final long bucketNanos;
    private final long origin;
    /** {@code buckets × counters} counts; bucket {@code b} (a bucket number) lives at slot {@code b % buckets}. */
    private final long[] counts;
    private final long[] totals;
    /** The number (periods since {@link #origin}) of the newest bucket. */
    private long head;
    /** Where the newest bucket's counts start in {@link #counts}: {@code (head % buckets) × counters}. */
    private int headBase;
    /** When the newest bucket ends: until then {@link #advance} has nothing to do (no division). */
    private long headEndsAt;

    /**
     * An empty window whose first bucket starts at {@code nowNanos}.
     *
     * @param counters    counts kept per bucket, at least 1
     * @param buckets     buckets in the ring, at least 1
     * @param bucketNanos length of one bucket, above 0
     */
    public TimeBuckets(int counters, int buckets, long bucketNanos, long nowNanos) {
        this.counters = Checks.positive("counters", counters);
        this.buckets = Checks.positive("buckets", buckets);
        if (bucketNanos <= 0) {
            throw new IllegalArgumentException("bucketNanos: " + bucketNanos + " (expected: > 0)");
        }
        this.bucketNanos = bucketNanos;
        this.origin = nowNanos;
        this.counts = new long[Math.multiplyExact(buckets, counters)];
        this.totals = new long[counters];
        this.headEndsAt = nowNanos + bucketNanos;
    }

    /**
     * Moves the window to {@code nowNanos}, dropping the buckets that fell out of it. A reading
     * older than the newest bucket (a thread that read the clock before another moved the window)
     * changes nothing.
     */
    public void advance(long nowNanos) {
        if (nowNanos - headEndsAt < 0) {
            return; // still in the newest bucket: the common case, one comparison
        }
        long target = (nowNanos - origin) / bucketNanos;
        long steps = target - head;
        if (steps <= 0) {
            return;
        }
        if (steps >= buckets) {
            // Longer than the whole ring: everything expired; clear once instead of looping.
            Arrays.fill(counts, 0);
            Arrays.fill(totals, 0);
        } else {
            for (long b = head + 1; b <= target; b++) {
                int base = (int) (b % buckets) * counters;
                for (int c = 0; c < counters; c++) {
                    totals[c] -= counts[base + c];
                    counts[base + c] = 0;
                }
            }
        }
        head = target;
        headBase = (int) (head % buckets) * counters;
        headEndsAt = origin + (head + 1) * bucketNanos;
    }

    /** Adds {@code delta} to counter {@code counter} of the newest bucket (call {@link #advance} first). */
    public void add(int counter, long delta) {
        counts[headBase + counter] += delta;
        totals[counter] += delta;
    }

    /** The sum of counter {@code counter} over the window as of the last {@link #advance}. */
    public long total(int counter) {
        return totals[counter];
    }

    /**
     * How much time the window covers at {@code nowNanos} (after advancing to it): the full
     * buckets behind the newest one plus the elapsed part of the newest, so between
     * {@code (buckets - 1) × bucketNanos} and {@code buckets × bucketNanos}.
     */
    public long spanNanos(long nowNanos) {
        long intoHead = nowNanos - origin - head * bucketNanos;
        return (buckets - 1) * bucketNanos + Math.clamp(intoHead, 0, bucketNanos);
    }

    /** When the newest bucket ends, in the caller's ticker's terms: the next {@link #advance} that changes anything. */
    public long nextBucketAt() {
        return origin + (head + 1) * bucketNanos;
    }

    /** The length of one bucket. */
    public long bucketNanos() {
        return bucketNanos;
    }
}
