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

    private final InetAddress[] keys;
    private final long[] tat;
    private final long[] lastSeen;
    private final boolean[] limited;
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
        tat = new long[size];
        lastSeen = new long[size];
        limited = new boolean[size];
        mask = size - 1;
        intervalNanos = Math.max(1, Math.round(1e9 / ratePerSecond));
        toleranceNanos = intervalNanos * (Math.max(1, burst) - 1L);
        this.counters = counters;
    }

    /** Judges one datagram from {@code source} at {@code now} (nanoseconds). */
    public int check(InetAddress source, long now) {
        int i = slotOf(source, now);
        long t = Math.max(tat[i], now);
        lastSeen[i] = now;
        if (t - now > toleranceNanos) {
            if (limited[i]) {
                return DROP;
            }
            limited[i] = true;
            return FIRST_DROP;
        }
        tat[i] = t + intervalNanos;
        limited[i] = false;
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
            if (victim < 0 || lastSeen[i] - lastSeen[victim] < 0) {
                victim = i;
            }
        }
        counters.increment(LoopCounters.EVICTED);
        return claim(victim, source, now);
    }

    private int claim(int i, InetAddress source, long now) {
        keys[i] = source;
        tat[i] = now;
        limited[i] = false;
        return i;
    }

    private int mix(int h) { // spreads the low bits: IPv4 hash codes are the address itself
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
