package dev.netkit.core.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Ring hash and Maglev: stickiness, how many keys a membership change moves, and balance. The
 * rings and tables are deterministic (built from the addresses); only the sampled keys and the
 * endpoint removed come from the seed.
 */
class ConsistentHashTest {
    private static final long SEED = Long.getLong("netkit.seed", System.nanoTime());
    private static final int KEYS = 100_000;

    private static long[] keys(SplittableRandom random) {
        long[] keys = new long[KEYS];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = random.nextLong();
        }
        return keys;
    }

    private static String seed() {
        return "seed=" + SEED + " (replay with -Dnetkit.seed=" + SEED + ")";
    }

    @ParameterizedTest
    @EnumSource(names = {"RING_HASH", "MAGLEV"})
    void aKeyAlwaysGoesToTheSameEndpointWhateverTheListOrder(Strategy strategy) {
        List<EndpointState> list = TestEndpoints.weighted(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        Picker picker = strategy.picker(list);
        List<EndpointState> shuffled = new ArrayList<>(list);
        Collections.shuffle(shuffled, new java.util.Random(SEED));
        Picker rebuilt = strategy.picker(shuffled);
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < 20_000; i++) {
            long key = random.nextLong();
            EndpointState first = picker.pick(key);
            assertThat(picker.pick(key)).as("key %d, %s", key, seed()).isSameAs(first);
            assertThat(rebuilt.pick(key)).as("key %d after a rebuild in another order, %s", key, seed()).isSameAs(first);
        }
        assertThat(picker.pick(HashKeys.of("user-42"))).isSameAs(picker.pick(HashKeys.of("user-42")));
    }

    /*
     * Measured over 8 seeds (100k keys; fraction moved × N): ring add 0.85-0.92, remove 0.96-1.13;
     * Maglev add 0.84-1.23, remove 1.00-1.30 (N = 50 the worst: a 65537-slot table refilled for
     * one more endpoint reassigns some slots between the others too). Ring expectations: add moves
     * exactly the new endpoint's share, about 1/(N+1); remove moves the removed endpoint's share,
     * 1/N with a relative spread of about 1/sqrt(1024 points) = 3 % plus 2 % sampling noise at
     * N = 50, so 1.3/N is over 5 sigma. Maglev's bound 1.5/N leaves the same room over its worst.
     */
    @ParameterizedTest
    @ValueSource(ints = {5, 10, 50})
    void ringHashMovesOnlyTheKeysOfTheEndpointAddedOrRemoved(int n) {
        SplittableRandom random = new SplittableRandom(SEED + n);
        long[] keys = keys(random);
        List<EndpointState> all = TestEndpoints.equal(n + 1);
        List<EndpointState> base = all.subList(0, n);
        EndpointState added = all.get(n);
        Picker before = Strategy.RING_HASH.picker(base);
        Picker grown = Strategy.RING_HASH.picker(all);
        List<EndpointState> less = new ArrayList<>(base);
        EndpointState removed = less.remove(random.nextInt(n));
        Picker shrunk = Strategy.RING_HASH.picker(less);
        int movedOnAdd = 0;
        int movedOnRemove = 0;
        for (long key : keys) {
            EndpointState was = before.pick(key);
            EndpointState now = grown.pick(key);
            if (now != was) {
                movedOnAdd++;
                assertThat(now).as("a key moved on add goes to the new endpoint; %s", seed()).isSameAs(added);
            }
            EndpointState after = shrunk.pick(key);
            if (was == removed) {
                movedOnRemove++;
            } else {
                assertThat(after).as("a key not on the removed endpoint stays put; %s", seed()).isSameAs(was);
            }
        }
        assertThat((double) movedOnAdd / KEYS).as("moved on add, N=%d, %s", n, seed()).isLessThanOrEqualTo(1.3 / n);
        assertThat((double) movedOnRemove / KEYS).as("moved on remove, N=%d, %s", n, seed()).isLessThanOrEqualTo(1.3 / n)
                .isGreaterThan(0.7 / n);
    }

    /*
     * Maglev moves keys between remaining endpoints too ("collateral"): measured 0.07-0.1 % of
     * keys at N = 5, 0.2-0.33 % at N = 10, 0.43-0.5 % at N = 50 (the paper's "minimal disruption"
     * is approximate). Bound: 1 %.
     */
    @ParameterizedTest
    @ValueSource(ints = {5, 10, 50})
    void maglevMovesAboutOneNthOfTheKeysOnAMembershipChange(int n) {
        SplittableRandom random = new SplittableRandom(SEED + n);
        long[] keys = keys(random);
        List<EndpointState> all = TestEndpoints.equal(n + 1);
        List<EndpointState> base = all.subList(0, n);
        Picker before = Strategy.MAGLEV.picker(base);
        Picker grown = Strategy.MAGLEV.picker(all);
        List<EndpointState> less = new ArrayList<>(base);
        EndpointState removed = less.remove(random.nextInt(n));
        Picker shrunk = Strategy.MAGLEV.picker(less);
        int movedOnAdd = 0;
        int movedOnRemove = 0;
        int collateral = 0;
        for (long key : keys) {
            EndpointState was = before.pick(key);
            if (grown.pick(key) != was) {
                movedOnAdd++;
            }
            EndpointState after = shrunk.pick(key);
            if (after != was) {
                movedOnRemove++;
                if (was != removed) {
                    collateral++;
                }
            } else {
                assertThat(was).isNotSameAs(removed);
            }
        }
        assertThat((double) movedOnAdd / KEYS).as("moved on add, N=%d, %s", n, seed()).isLessThanOrEqualTo(1.5 / n);
        assertThat((double) movedOnRemove / KEYS).as("moved on remove, N=%d, %s", n, seed()).isLessThanOrEqualTo(1.5 / n);
        assertThat((double) collateral / KEYS).as("moved between remaining endpoints, N=%d, %s", n, seed())
                .isLessThanOrEqualTo(0.01);
    }

    @Test
    void ringPointsDependOnlyOnTheEndpointsOwnWeightAndTheHeaviest() {
        // Why the ring beats Envoy's on the test above: growing from 10 to 11 endpoints leaves
        // every old endpoint's points where they were (Envoy would drop 103 to 94 each).
        PickerOptions defaults = PickerOptions.defaults();
        assertThat(RingHashPicker.pointsPerEndpoint(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, defaults)).containsOnly(1024);
        assertThat(RingHashPicker.pointsPerEndpoint(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, defaults)).containsOnly(1024);
        assertThat(RingHashPicker.pointsPerEndpoint(new int[] {1, 2, 3, 4, 3}, defaults)).containsExactly(256, 512, 768, 1024, 768);
        assertThat(RingHashPicker.pointsPerEndpoint(new int[] {1, 10_000}, defaults))
                .as("at least one point each").containsExactly(1, 1024);
        // Over ringMaxSize the counts are scaled to fit, one point each at least.
        int[] capped = RingHashPicker.pointsPerEndpoint(new int[] {1, 1, 2}, new PickerOptions(512, 1000, 65_537));
        assertThat(capped).containsExactly(249, 249, 498);
        assertThat(RingHashPicker.pointsPerEndpoint(new int[] {1, 1, 10_000}, new PickerOptions(2, 3, 65_537)))
                .containsExactly(1, 1, 1);
    }

    @Test
    void ringSharesAreCloseToEqualForEqualWeights() {
        // Measured max/min share: 1.054 (N=5), 1.104 (N=10), 1.185 (N=50), 1.174 (N=100), with
        // 1024 points per endpoint. (Envoy's ring of 1024 points in all gives 1.21 at N=10 and
        // 2.5 at N=50.) Deterministic: the ring depends only on the addresses.
        for (int n : new int[] {5, 10, 50, 100}) {
            RingHashPicker ring = (RingHashPicker) Strategy.RING_HASH.picker(TestEndpoints.equal(n));
            double[] shares = ring.shares();
            double max = 0;
            double min = 1;
            double total = 0;
            for (double s : shares) {
                max = Math.max(max, s);
                min = Math.min(min, s);
                total += s;
            }
            assertThat(total).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(ring.size()).isEqualTo(1024 * n);
            assertThat(max / min).as("max/min share, N=%d", n).isLessThanOrEqualTo(n <= 10 ? 1.15 : 1.25);
        }
    }

    @Test
    void ringSharesFollowWeights() {
        // Measured share / weight share: 0.979..1.034 for 1,2,3,4; 0.917..1.064 for the second.
        for (int[] weights : new int[][] {{1, 2, 3, 4}, {3, 3, 7, 1, 5, 9, 2, 2, 8, 10}}) {
            RingHashPicker ring = (RingHashPicker) Strategy.RING_HASH.picker(TestEndpoints.weighted(weights));
            double[] shares = ring.shares();
            double total = Weights.sum(weights);
            for (int i = 0; i < weights.length; i++) {
                assertThat(shares[i] / (weights[i] / total)).as("endpoint %d of weights %s", i, java.util.Arrays.toString(weights))
                        .isBetween(0.88, 1.12);
            }
        }
    }

    @Test
    void ringKeysWrapAroundAndCompareUnsigned() {
        Picker ring = Strategy.RING_HASH.picker(TestEndpoints.equal(3));
        // 0 is the smallest unsigned key, -1 the largest: both land on the first point of the ring.
        assertThat(ring.pick(-1L)).isSameAs(ring.pick(0L));
        assertThat(ring.pick(Long.MIN_VALUE)).isNotNull();
        Picker single = Strategy.RING_HASH.picker(TestEndpoints.equal(1));
        assertThat(single.pick(-1L)).isSameAs(single.pick(12345L)).isSameAs(single.pick());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 10, 50, 100, 1000})
    void maglevUnweightedTableEntriesDifferByAtMostOne(int n) {
        int m = 65_537;
        Picker maglev = Strategy.MAGLEV.picker(TestEndpoints.equal(n));
        int[] counts = tableCounts(maglev, m);
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int c : counts) {
            min = Math.min(min, c);
            max = Math.max(max, c);
        }
        assertThat(max - min).as("N=%d: %d..%d", n, min, max).isLessThanOrEqualTo(1);
        assertThat(min).isEqualTo(m / n);
    }

    @Test
    void maglevWeightedTableFollowsWeights() {
        int m = 65_537;
        // A turn-based fill leaves each count within 2 + 2·n·w/W of m·w/W (W: total weight);
        // measured: within 0.2 entries for the first, 0.1 for the second.
        for (int[] weights : new int[][] {{3, 3, 7, 1, 5, 9, 2, 2, 8, 10}, {1, 10, 100, 1000, 10_000}}) {
            List<EndpointState> list = TestEndpoints.weighted(weights);
            int[] counts = tableCounts(Strategy.MAGLEV.picker(list), m);
            double total = Weights.sum(weights);
            for (int i = 0; i < weights.length; i++) {
                double expected = m * weights[i] / total;
                assertThat(Math.abs(counts[i] - expected)).as("endpoint %d of %s", i, java.util.Arrays.toString(weights))
                        .isLessThanOrEqualTo(2 + 2 * weights.length * weights[i] / total);
            }
        }
    }

    @Test
    void maglevUsesEffectiveWeightsAndUnsignedRemainder() {
        List<EndpointState> list = TestEndpoints.equal(2);
        list.get(1).effectiveWeight(3);
        int m = 101;
        Picker maglev = Strategy.MAGLEV.picker(list, new PickerOptions(1024, PickerOptions.MAX_RING_SIZE, m));
        int[] counts = tableCounts(maglev, m);
        assertThat(counts[0]).isBetween(24, 27);
        assertThat(counts[0] + counts[1]).isEqualTo(m);
        assertThat(maglev.pick(-1L)).isSameAs(maglev.pick(Long.remainderUnsigned(-1L, m)));
    }

    @ParameterizedTest
    @EnumSource(names = {"RING_HASH", "MAGLEV"})
    void pickWithoutAKeyUsesARandomOneAndReachesEveryEndpoint(Strategy strategy) {
        List<EndpointState> list = TestEndpoints.equal(4);
        Picker picker = strategy.picker(list);
        Map<EndpointState, Integer> counts = new IdentityHashMap<>();
        for (int i = 0; i < 4000; i++) {
            counts.merge(picker.pick(), 1, Integer::sum);
        }
        // p = 1/4 each over 4000 draws: sigma 27, so 700 is over 11 sigma below 1000.
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(list);
        assertThat(counts.values()).allSatisfy(c -> assertThat(c).isGreaterThan(700));
    }

    @Test
    void tooManyEndpointsForTheTableOrRingAreRefusedNamingTheLimit() {
        List<EndpointState> list = TestEndpoints.equal(10);
        assertThatThrownBy(() -> Strategy.MAGLEV.picker(list, new PickerOptions(1024, PickerOptions.MAX_RING_SIZE, 7)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maglevTableSize: 7 (expected: >= the number of endpoints, 10; ideally 100 times it)");
        assertThatThrownBy(() -> Strategy.RING_HASH.picker(list, new PickerOptions(1, 9, 65_537)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ringMaxSize: 9 (expected: >= the number of endpoints, 10)");
    }

    private static int[] tableCounts(Picker maglev, int m) {
        Map<EndpointState, Integer> index = new IdentityHashMap<>();
        List<EndpointState> list = maglev.endpoints();
        for (int i = 0; i < list.size(); i++) {
            index.put(list.get(i), i);
        }
        int[] counts = new int[list.size()];
        for (int k = 0; k < m; k++) { // keys 0..m-1 read each table slot once
            counts[index.get(maglev.pick(k))]++;
        }
        return counts;
    }
}
