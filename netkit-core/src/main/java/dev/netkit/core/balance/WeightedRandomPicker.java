package dev.netkit.core.balance;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Random by effective weight: a uniform draw below the total weight, located by binary search in
 * the prefix sums (log2(n) steps, exact proportions, no rounding).
 */
final class WeightedRandomPicker implements Picker {
    private final List<EndpointState> list;
    private final EndpointState[] endpoints;
    /** cumulative[i] = weight[0] + ... + weight[i]. */
    private final long[] cumulative;

    WeightedRandomPicker(List<EndpointState> endpoints) {
        this.list = endpoints;
        this.endpoints = endpoints.toArray(EndpointState[]::new);
        int[] weights = Weights.of(endpoints);
        this.cumulative = new long[weights.length];
        long sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i];
            cumulative[i] = sum;
        }
    }

    @Override
    public EndpointState pick() {
        return endpoints[draw(ThreadLocalRandom.current())];
    }

    /** The index of the endpoint a draw from {@code random} lands on. */
    int draw(RandomGenerator random) {
        long x = random.nextLong(cumulative[cumulative.length - 1]);
        // The first i with cumulative[i] > x. Written so the loop's only branch is its length
        // (log2 n, the same every pick) and the step is a conditional move: a random x makes
        // the usual lo/hi branches mispredict half the time, which cost more than the search.
        int base = 0;
        int length = cumulative.length;
        while (length > 1) {
            int half = length >>> 1;
            base = cumulative[base + half - 1] <= x ? base + half : base;
            length -= half;
        }
        return base;
    }

    @Override
    public List<EndpointState> endpoints() {
        return list;
    }
}
