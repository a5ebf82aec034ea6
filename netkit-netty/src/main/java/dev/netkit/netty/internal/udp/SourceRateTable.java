package dev.netkit.netty.internal.udp;

import java.net.InetAddress;

/**
 * Per-source rate limits of one I/O thread: a fixed open-addressing table from source IP address
 * to GCRA state (the theoretical arrival time of the next datagram), confined to the thread.
 *
 * <p>Bounded and allocation-free: the arrays are sized once ({@code maxSources} rounded up to a
 * power of two); a lookup probes at most {@value #PROBES} slots from the address's hash. A new
 * source takes the first empty probed slot, or else the probed slot seen least recently, whose
 * source is forgotten (it starts again with a full bucket when it returns; counted as an
 * eviction). Entries are never removed otherwise, so probing needs no tombstones. Keys are the
 * {@link InetAddress} objects of the first datagram seen; {@code hashCode} and {@code equals} on
 * them read the address in place (no copy).
 */
public final class SourceRateTable {
    /** The datagram may pass. */
    public static final int ADMIT = 0;
    /** Over the rate: drop. */
    public static final int DROP = 1;
    /** Over the rate, and the first drop since this source was last admitted (worth an event). */
    public static final int FIRST_DROP = 2;
    private static final int PROBES = 8;
    private static final long LIMITED = 1L;

    private final InetAddress[] keys;
    /**
     * Per slot i, side by side so that one lookup touches one cache line of state:
     * {@code state[2i]} the theoretical arrival time, {@code state[2i+1]} when it was last seen,
     * whose lowest bit says whether it is being limited (a nanosecond of the clock given up).
     */
    private final long[] state;
    private final int mask;
    private final long intervalNanos;
    private final long toleranceNanos;
    private final LoopCounters counters;

    /**
     * @param ratePerSecond datagrams per second per source, > 0
     * @param burst         datagrams a source may send at once, >= 1
     */
    public SourceRateTable(int maxSources, double ratePerSecond, int burst, LoopCounters counters) {
        int size = Integer.highestOneBit(Math.max(PROBES, maxSources - 1)) << 1;
        keys = new InetAddress[size];
        state = new long[2 * size];
        mask = size - 1;
        intervalNanos = Math.max(1, Math.round(1e9 / ratePerSecond));
        toleranceNanos = intervalNanos * (Math.max(1, burst) - 1L);
        this.counters = counters;
    }

    /** Judges one datagram from {@code source} at {@code now} (nanoseconds). */
    public int check(InetAddress source, long now) {
        int at = 2 * slotOf(source, now);
        long t = Math.max(state[at], now);
        long seen = now & ~LIMITED;
        if (t - now > toleranceNanos) {
            boolean wasLimited = (state[at + 1] & LIMITED) != 0;
            state[at + 1] = seen | LIMITED;
            return wasLimited ? DROP : FIRST_DROP;
        }
        state[at] = t + intervalNanos;
        state[at + 1] = seen;
        return ADMIT;
    }

    /** The slot of {@code source}, claimed (emptied of another source if need be) when it has none. */
    private int slotOf(InetAddress source, long now) {
        int start = mix(source.hashCode());
        int victim = -1;
        for (int p = 0; p < PROBES; p++) {
            int i = (start + p) & mask;
            InetAddress k = keys[i];
            if (k == null) {
                return claim(i, source, now);
            }
            if (k.equals(source)) {
                return i;
            }
            if (victim < 0 || state[2 * i + 1] - state[2 * victim + 1] < 0) {
                victim = i;
            }
        }
        counters.increment(LoopCounters.EVICTED);
        return claim(victim, source, now);
    }

    private int claim(int i, InetAddress source, long now) {
        keys[i] = source;
        state[2 * i] = now;
        state[2 * i + 1] = now & ~LIMITED;
        return i;
    }

    private int mix(int h) { // spreads the low bits: IPv4 hash codes are the address itself
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
