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
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) { // the first i with cumulative[i] > x
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > x) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    @Override
    public List<EndpointState> endpoints() {
        return list;
    }
}
