package dev.netkit.core.breaker;

import dev.netkit.core.internal.Checks;

/**
 * The outcomes of the last {@code size} calls: a ring of one byte per call (bit 0 failed, bit 1
 * slow) and totals that the evicted outcome is subtracted from. Not thread-safe.
 */
final class CountWindow implements OutcomeWindow {
    private static final byte FAILED = 1;
    private static final byte SLOW = 2;

    private final byte[] ring;
    private int next;
    private int filled;
    private long failures;
    private long slow;

    CountWindow(int size) {
        ring = new byte[Checks.positive("size", size)];
    }

    @Override
    public void record(long nowNanos, boolean failed, boolean slowCall) {
        if (filled == ring.length) {
            byte evicted = ring[next];
            failures -= evicted & FAILED;
            slow -= (evicted & SLOW) >> 1;
        } else {
            filled++;
        }
        byte outcome = (byte) ((failed ? FAILED : 0) | (slowCall ? SLOW : 0));
        ring[next] = outcome;
        failures += outcome & FAILED;
        slow += (outcome & SLOW) >> 1;
        next = next + 1 == ring.length ? 0 : next + 1;
    }

    @Override
    public void addSuccesses(long n) {
        for (long i = Math.min(n, ring.length); i > 0; i--) { // more than the ring holds: the ring fills with them
            record(0, false, false);
        }
    }

    @Override
    public Long movesAt() {
        return null;
    }

    @Override
    public void advance(long nowNanos) {
        // Time plays no part: outcomes leave only when newer ones push them out.
    }

    @Override
    public long calls() {
        return filled;
    }

    @Override
    public long failures() {
        return failures;
    }

    @Override
    public long slowCalls() {
        return slow;
    }
}
