package dev.netkit.core.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * Weighted random: the index mapping is exact, and seeded draws (the picker's draw method with a
 * SplittableRandom in place of ThreadLocalRandom) land in proportion to weight.
 */
class WeightedRandomPickerTest {
    private static final long SEED = Long.getLong("netkit.seed", System.nanoTime());

    @Test
    void eachValueBelowTheTotalMapsToTheEndpointWhoseWeightCoversIt() {
        WeightedRandomPicker picker = new WeightedRandomPicker(TestEndpoints.weighted(1, 2, 3));
        int[] expected = {0, 1, 1, 2, 2, 2};
        for (int x = 0; x < expected.length; x++) {
            assertThat(picker.draw(fixed(x))).as("x=%d", x).isEqualTo(expected[x]);
        }
    }

    @Test
    void drawsAreInProportionToWeight() {
        checkProportions(new int[] {1, 2, 3, 4, 10}, 500_000);
        checkProportions(new int[] {1, 10_000}, 2_000_000);
        checkProportions(new int[] {7}, 1000);
    }

    @Test
    void effectiveWeightsAreUsed() {
        List<EndpointState> list = TestEndpoints.equal(2);
        list.get(0).effectiveWeight(9);
        list.get(1).effectiveWeight(0); // counted as 1: every endpoint in a snapshot gets some traffic
        WeightedRandomPicker picker = (WeightedRandomPicker) Strategy.WEIGHTED_RANDOM.picker(list);
        for (int x = 0; x < 9; x++) {
            assertThat(picker.draw(fixed(x))).isZero();
        }
        assertThat(picker.draw(fixed(9))).isEqualTo(1);
        assertThat(picker.pick()).isIn(list);
    }

    /** Each count within 5 sigma of its binomial expectation. */
    private static void checkProportions(int[] weights, int draws) {
        WeightedRandomPicker picker = new WeightedRandomPicker(TestEndpoints.weighted(weights));
        SplittableRandom random = new SplittableRandom(SEED);
        long[] counts = new long[weights.length];
        for (int i = 0; i < draws; i++) {
            counts[picker.draw(random)]++;
        }
        double total = Weights.sum(weights);
        for (int i = 0; i < weights.length; i++) {
            double p = weights[i] / total;
            double sigma = Math.sqrt(draws * p * (1 - p));
            assertThat(Math.abs(counts[i] - draws * p)).as("endpoint %d of %s: %d draws; seed=%d (replay with -Dnetkit.seed=%d)",
                    i, Arrays.toString(weights), counts[i], SEED, SEED).isLessThanOrEqualTo(5 * sigma);
        }
    }

    /** A generator whose bounded long draw is always {@code value}. */
    private static RandomGenerator fixed(long value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException("only nextLong(bound) is expected");
            }

            @Override
            public long nextLong(long bound) {
                assertThat(value).isLessThan(bound);
                return value;
            }
        };
    }
}
