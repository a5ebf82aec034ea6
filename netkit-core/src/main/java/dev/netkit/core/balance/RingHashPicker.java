package dev.netkit.core.balance;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/*
 * Consistent hashing on a ring (Envoy's ring_hash, Karger et al.): each endpoint puts points on a
 * 64-bit ring at XXH64("host:port_i"), i = 0, 1, ...; a key goes to the first point at or after it,
 * wrapping around.
 *
 * Points per endpoint: ceil(ringMinSize × weight / maxWeight). Envoy instead scales the whole
 * ring to about ringMinSize points, so every endpoint's point count depends on how many endpoints
 * there are; adding an 11th endpoint to 10 then also drops 9 of each old endpoint's 103 points,
 * and those arcs move between old endpoints (ConsistentHashTest measures about 2/N keys moving
 * instead of 1/N). Here an endpoint's points depend only on its own weight and the heaviest
 * weight, so adding an endpoint moves keys only to it and removing one moves only its keys. The
 * price is a bigger ring (ringMinSize points per endpoint of top weight, 8 bytes each) and better
 * balance for it. Only when the ring would exceed ringMaxSize are the counts scaled down, and then
 * they do depend on the membership again.
 *
 * Layout: one sorted long[] with no separate owner array. Each entry is the point (sign bit
 * flipped, so signed order is unsigned ring order) with its low OWNER_BITS replaced by the index
 * of the endpoint that owns it: Arrays.sort orders points and owners together, a lookup touches
 * one array, and the cost is ring resolution of 2^-56 instead of 2^-64.
 */
/** Consistent hashing on a ring of points in proportion to weight. */
final class RingHashPicker implements Picker {
    private final List<EndpointState> list;
    private final EndpointState[] endpoints;
    private final long[] ring;
    private final long pointMask;
    private final long ownerMask;

    RingHashPicker(List<EndpointState> endpoints, PickerOptions options) {
        this.list = endpoints;
        this.endpoints = endpoints.toArray(EndpointState[]::new);
        int n = this.endpoints.length;
        if (n > options.ringMaxSize()) {
            throw new IllegalArgumentException("ringMaxSize: " + options.ringMaxSize()
                    + " (expected: >= the number of endpoints, " + n + ")");
        }
        int ownerBits = Math.max(8, 32 - Integer.numberOfLeadingZeros(n - 1));
        this.ownerMask = (1L << ownerBits) - 1;
        this.pointMask = ~ownerMask;
        int[] points = pointsPerEndpoint(Weights.of(endpoints), options);
        int size = 0;
        for (int p : points) {
            size += p;
        }
        this.ring = new long[size];
        int at = 0;
        for (int i = 0; i < n; i++) {
            byte[] prefix = (this.endpoints[i].endpoint().address() + "_").getBytes(StandardCharsets.UTF_8);
            byte[] key = Arrays.copyOf(prefix, prefix.length + 10); // room for the digits of any int
            for (int j = 0; j < points[i]; j++) {
                int length = prefix.length + writeDecimal(j, key, prefix.length);
                long hash = XxHash64.hash(key, 0, length, 0);
                ring[at++] = ((hash ^ Long.MIN_VALUE) & pointMask) | i;
            }
        }
        Arrays.sort(ring);
    }

    /** Points for each endpoint: in proportion to weight, the heaviest getting ringMinSize. */
    static int[] pointsPerEndpoint(int[] weights, PickerOptions options) {
        int n = weights.length;
        long max = Weights.max(weights);
        int[] points = new int[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            points[i] = (int) ((options.ringMinSize() * (long) weights[i] + max - 1) / max);
            total += points[i];
        }
        if (total > options.ringMaxSize()) {
            // Scale to the limit, keeping one point each (n <= ringMaxSize was checked).
            long sum = Weights.sum(weights);
            long budget = options.ringMaxSize() - n;
            for (int i = 0; i < n; i++) {
                points[i] = (int) Math.max(1, budget * weights[i] / sum);
            }
        }
        return points;
    }

    /** Writes {@code value} (>= 0) in decimal at {@code at}; returns the digits written. */
    private static int writeDecimal(int value, byte[] into, int at) {
        String digits = Integer.toString(value); // build time only
        for (int k = 0; k < digits.length(); k++) {
            into[at + k] = (byte) digits.charAt(k);
        }
        return digits.length();
    }

    @Override
    public EndpointState pick() {
        return pick(ThreadLocalRandom.current().nextLong());
    }

    @Override
    public EndpointState pick(long key) {
        long target = (key ^ Long.MIN_VALUE) & pointMask;
        int lo = 0;
        int hi = ring.length;
        // The first entry >= target, or ring.length. A plain search on purpose: a branch-free one
        // (as in WeightedRandomPicker) measured 41 ns against 18 on a 56k-point ring, which is
        // beyond L1, where speculating down a predicted branch overlaps the loads.
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ring[mid] < target) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        long entry = ring[lo == ring.length ? 0 : lo];
        return endpoints[(int) (entry & ownerMask)];
    }

    @Override
    public List<EndpointState> endpoints() {
        return list;
    }

    /** Points on the ring. */
    int size() {
        return ring.length;
    }

    /** Each endpoint's share of the key space (the arcs ending at its points), in list order. */
    double[] shares() {
        double[] shares = new double[endpoints.length];
        if (ring.length == 1) {
            shares[0] = 1;
            return shares;
        }
        for (int i = 0; i < ring.length; i++) {
            long previous = ring[i == 0 ? ring.length - 1 : i - 1] & pointMask;
            long arc = (ring[i] & pointMask) - previous; // unsigned, wrapping for i == 0
            shares[(int) (ring[i] & ownerMask)] += unsignedToDouble(arc) / 0x1p64;
        }
        return shares;
    }

    private static double unsignedToDouble(long v) {
        return v >= 0 ? v : (v >>> 1) * 2.0;
    }
}
