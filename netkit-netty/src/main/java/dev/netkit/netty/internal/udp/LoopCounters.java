package dev.netkit.netty.internal.udp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The counters of one socket, written by its event loop alone and read by any thread. Writes and
 * reads are opaque (no fence on x86: the cost of a plain increment), so a reader sees each value
 * whole and eventually current, which is all a stats snapshot needs.
 */
public final class LoopCounters {
    static final int PACKETS_IN = 0;
    static final int BYTES_IN = 1;
    static final int PACKETS_OUT = 2;
    static final int BYTES_OUT = 3;
    static final int DROP_RATE = 4;
    static final int DROP_HANDLER = 5;
    static final int DROP_QUEUE = 6;
    static final int DROP_OVERSIZE = 7;
    static final int BATCHES = 8;
    static final int SEND_ERRORS = 9;
    static final int EVICTED = 10;
    /** Batch-size buckets: {@code HISTOGRAM + k} counts batches of 2^k to 2^(k+1) − 1 datagrams. */
    static final int HISTOGRAM = 11;
    static final int BUCKETS = 10;
    private static final int SLOTS = HISTOGRAM + BUCKETS;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] slots = new long[SLOTS];

    void add(int slot, long delta) {
        SLOT.setOpaque(slots, slot, (long) SLOT.getOpaque(slots, slot) + delta);
    }

    void increment(int slot) {
        add(slot, 1);
    }

    /** One receive batch of {@code packets} datagrams (at least one). */
    void batch(int packets) {
        increment(BATCHES);
        int bucket = Math.min(BUCKETS - 1, 31 - Integer.numberOfLeadingZeros(packets));
        increment(HISTOGRAM + bucket);
    }

    long get(int slot) {
        return (long) SLOT.getOpaque(slots, slot);
    }
}
