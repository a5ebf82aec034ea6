package dev.netkit.core.balance;

import dev.netkit.core.internal.Checks;

/**
 * Tuning for the hashing strategies; the other strategies ignore it. Validated on construction,
 * with messages naming the field, its value and the limit.
 *
 * @param ringMinSize     {@link Strategy#RING_HASH}: the points the heaviest endpoint gets on the
 *                        ring (lighter ones get points in proportion to their weight), so also
 *                        the smallest ring; 1..{@link #MAX_RING_SIZE}, default 1024
 * @param ringMaxSize     {@link Strategy#RING_HASH}: the most points on the ring, whatever the
 *                        number of endpoints; ringMinSize..{@link #MAX_RING_SIZE}, default
 *                        {@link #MAX_RING_SIZE}
 * @param maglevTableSize {@link Strategy#MAGLEV}: the lookup table's size, a prime in
 *                        2..{@link #MAX_MAGLEV_TABLE_SIZE}, at least the number of endpoints
 *                        (the Maglev paper suggests 100 times it); default 65537
 */
public record PickerOptions(int ringMinSize, int ringMaxSize, int maglevTableSize) {
    /** The largest ring (Envoy's limit): 8M points, 64 MiB. */
    public static final int MAX_RING_SIZE = 8 * 1024 * 1024;
    /** The largest Maglev table (Envoy's limit). */
    public static final int MAX_MAGLEV_TABLE_SIZE = 5_000_011;

    private static final PickerOptions DEFAULTS = new PickerOptions(1024, MAX_RING_SIZE, 65_537);

    /** Validates every field. */
    public PickerOptions {
        Checks.inRange("ringMinSize", ringMinSize, 1, MAX_RING_SIZE);
        if (ringMaxSize < ringMinSize || ringMaxSize > MAX_RING_SIZE) {
            throw new IllegalArgumentException("ringMaxSize: " + ringMaxSize + " (expected: ringMinSize "
                    + ringMinSize + ".." + MAX_RING_SIZE + ")");
        }
        Checks.inRange("maglevTableSize", maglevTableSize, 2, MAX_MAGLEV_TABLE_SIZE);
        if (!isPrime(maglevTableSize)) {
            // A composite size breaks the permutation: a skip sharing a factor with it cycles
            // through only part of the table, and the fill never ends.
            throw new IllegalArgumentException("maglevTableSize: " + maglevTableSize + " (expected: a prime; the next is "
                    + nextPrime(maglevTableSize) + ")");
        }
    }

    /** Ring of at least 1024 points (up to 8M), Maglev table of 65537: Envoy's defaults. */
    public static PickerOptions defaults() {
        return DEFAULTS;
    }

    static boolean isPrime(int n) {
        if (n < 2) {
            return false;
        }
        for (int d = 2; (long) d * d <= n; d++) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }

    private static int nextPrime(int n) {
        int p = n + 1;
        while (!isPrime(p)) {
            p++;
        }
        return p;
    }
}
