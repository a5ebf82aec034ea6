package dev.netkit.core.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.NoEndpointsException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The first pickers of issue 4: exact proportions for round robin and smooth weighted round
 * robin, and power-of-two-choices never comparing an endpoint with itself.
 */
class PickerTest {
    private static final long SEED = Long.getLong("netkit.seed", System.nanoTime());

    private static List<EndpointState> endpoints(int... weights) {
        List<EndpointState> list = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            list.add(new EndpointState(WeightedEndpoint.of(new Endpoint("10.0.0." + (i + 1), 7000), weights[i])));
        }
        return list;
    }

    private static String names(Picker picker, int picks) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < picks; i++) {
            String host = picker.pick().endpoint().address().host();
            sb.append((char) ('a' + Integer.parseInt(host.substring(host.lastIndexOf('.') + 1)) - 1));
        }
        return sb.toString();
    }

    @Test
    void roundRobinTakesEachInTurn() {
        Picker p = Strategy.ROUND_ROBIN.picker(endpoints(5, 1, 1)); // weights ignored
        assertThat(names(p, 7)).isEqualTo("abcabca");
    }

    @Test
    void smoothWeightedRoundRobinMatchesNginxSequence() {
        // nginx's documented example: weights a=5, b=1, c=1 give a a b a c a a
        Picker p = Strategy.WEIGHTED_ROUND_ROBIN.picker(endpoints(5, 1, 1));
        assertThat(names(p, 14)).isEqualTo("aabacaa" + "aabacaa");
    }

    @Test
    void weightedRoundRobinGivesExactProportionsOverEveryCycle() {
        List<EndpointState> list = endpoints(3, 2, 1, 7);
        Picker p = Strategy.WEIGHTED_ROUND_ROBIN.picker(list);
        Map<EndpointState, Integer> counts = new HashMap<>();
        for (int i = 0; i < 13 * 1000; i++) {
            counts.merge(p.pick(), 1, Integer::sum);
        }
        assertThat(counts.get(list.get(0))).isEqualTo(3000);
        assertThat(counts.get(list.get(1))).isEqualTo(2000);
        assertThat(counts.get(list.get(2))).isEqualTo(1000);
        assertThat(counts.get(list.get(3))).isEqualTo(7000);
    }

    @Test
    void weightedRoundRobinFollowsEffectiveWeights() {
        // Slow start lowers the effective weight; a snapshot reads it when built.
        List<EndpointState> list = endpoints(5, 1, 1);
        list.get(0).effectiveWeight(1);
        assertThat(names(Strategy.WEIGHTED_ROUND_ROBIN.picker(list), 6)).isEqualTo("abcabc");
    }

    @Test
    void veryLargeTotalWeightsAreScaledKeepingProportions() {
        int[] weights = new int[300];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = i % 2 == 0 ? WeightedEndpoint.MAX_WEIGHT : WeightedEndpoint.MAX_WEIGHT / 2;
        }
        List<EndpointState> list = endpoints(weights);
        SmoothWeightedRoundRobinPicker p = (SmoothWeightedRoundRobinPicker) Strategy.WEIGHTED_ROUND_ROBIN.picker(list);
        assertThat(p.period()).isLessThanOrEqualTo(SmoothWeightedRoundRobinPicker.MAX_PERIOD);
        Map<EndpointState, Long> counts = new HashMap<>();
        for (int i = 0; i < p.period(); i++) {
            counts.merge(p.pick(), 1L, Long::sum);
        }
        double ratio = (double) counts.get(list.get(0)) / counts.get(list.get(1));
        assertThat(ratio).isCloseTo(2.0, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void powerOfTwoNeverComparesAnEndpointWithItselfAndCoversAllPairs() {
        System.out.println("PickerTest seed=" + SEED + " (replay with -Dnetkit.seed=" + SEED + ")");
        SplittableRandom random = new SplittableRandom(SEED);
        for (int n : new int[] {2, 3, 10, 100}) {
            int[][] seen = new int[n][n];
            int draws = 200_000;
            for (int i = 0; i < draws; i++) {
                long pair = PowerOfTwoPicker.drawPair(n, random);
                int a = (int) (pair >>> 32);
                int b = (int) pair;
                assertThat(a).as("n=%d", n).isNotEqualTo(b).isBetween(0, n - 1);
                assertThat(b).isBetween(0, n - 1);
                seen[a][b]++;
            }
            if (n <= 10) { // every ordered pair of distinct endpoints about equally often
                double expected = (double) draws / (n * (n - 1));
                for (int a = 0; a < n; a++) {
                    for (int b = 0; b < n; b++) {
                        if (a != b) {
                            assertThat((double) seen[a][b]).as("pair %d,%d of %d", a, b, n)
                                    .isBetween(expected * 0.9, expected * 1.1);
                        }
                    }
                }
            }
        }
    }

    @Test
    void powerOfTwoPrefersTheLessLoaded() {
        List<EndpointState> list = endpoints(1, 1);
        Picker p = Strategy.LEAST_OUTSTANDING.picker(list);
        list.get(0).started();
        for (int i = 0; i < 1000; i++) {
            assertThat(p.pick()).as("with two endpoints both are always compared").isSameAs(list.get(1));
        }
        List<EndpointState> three = endpoints(1, 1, 1);
        Picker p3 = Strategy.LEAST_OUTSTANDING.picker(three);
        for (int i = 0; i < 5; i++) {
            three.get(2).started();
        }
        long busiest = 0;
        for (int i = 0; i < 30_000; i++) {
            if (p3.pick() == three.get(2)) {
                busiest++;
            }
        }
        assertThat(busiest).as("the busiest loses every comparison it is drawn into").isZero();
        assertThat(Strategy.LEAST_OUTSTANDING.picker(endpoints(1)).pick()).isNotNull();
    }

    @Test
    void anEmptyEndpointListIsRefusedWithNoEndpoints() {
        for (Strategy s : Strategy.values()) {
            assertThatThrownBy(() -> s.picker(List.of())).isInstanceOf(NoEndpointsException.class)
                    .hasMessageContaining("no endpoints");
        }
        assertThatThrownBy(() -> WeightedEndpoint.of(new Endpoint("h", 1), 0)).hasMessage("weight: 0 (expected: 1..10000)");
        assertThat(Strategy.ROUND_ROBIN.picker(endpoints(1, 2)).endpoints().stream()
                .map(e -> e.endpoint().weight()).collect(Collectors.toList())).containsExactly(1, 2);
    }
}
