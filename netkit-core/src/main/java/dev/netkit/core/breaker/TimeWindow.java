package dev.netkit.core.breaker;

import dev.netkit.core.internal.TimeBuckets;

/**
 * The outcomes of the last {@code seconds} seconds in one-second buckets on the breaker's ticker
 * (the current, partial second included, so between {@code seconds - 1} and {@code seconds} of
 * history). Not thread-safe.
 */
final class TimeWindow implements OutcomeWindow {
    private static final long SECOND = 1_000_000_000L;
    private static final int CALLS = 0;
    private static final int FAILURES = 1;
    private static final int SLOW = 2;

    private final TimeBuckets buckets;

    TimeWindow(int seconds, long nowNanos) {
        buckets = new TimeBuckets(3, seconds, SECOND, nowNanos);
    }

    @Override
    public void record(long nowNanos, boolean failed, boolean slow) {
        buckets.advance(nowNanos);
        buckets.add(CALLS, 1);
        if (failed) {
            buckets.add(FAILURES, 1);
        }
        if (slow) {
            buckets.add(SLOW, 1);
        }
    }

    @Override
    public void addSuccesses(long n) {
        buckets.add(CALLS, n);
    }

    @Override
    public Long movesAt() {
        return buckets.nextBucketAt();
    }

    @Override
    public void advance(long nowNanos) {
        buckets.advance(nowNanos);
    }

    @Override
    public long calls() {
        return buckets.total(CALLS);
    }

    @Override
    public long failures() {
        return buckets.total(FAILURES);
    }

    @Override
    public long slowCalls() {
        return buckets.total(SLOW);
    }
}
