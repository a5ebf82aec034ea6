package dev.netkit.core.balance;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/*
 * nginx's smooth weighted round robin keeps a mutable "current weight" per endpoint and updates
 * all of them on every pick, which needs a lock. The sequence it produces is periodic with period
 * sum(weights), so it is computed once, when the snapshot is built, and a pick is one atomic
 * increment and an array read. The period is bounded: weights are at most 10,000 each, and a
 * snapshot's total weight at most MAX_PERIOD (beyond it the weights are scaled down, keeping
 * their proportions to within one unit of rounding).
 */
/** Smooth weighted round robin over a precomputed cycle, by effective weight. */
final class SmoothWeightedRoundRobinPicker implements Picker {
    static final int MAX_PERIOD = 1 << 20;

    private final List<EndpointState> list;
    private final EndpointState[] cycle;
    private final AtomicInteger next = new AtomicInteger();

    SmoothWeightedRoundRobinPicker(List<EndpointState> endpoints) {
        this.list = endpoints;
        this.cycle = cycle(endpoints);
    }

    static EndpointState[] cycle(List<EndpointState> endpoints) {
        int n = endpoints.size();
        int[] configured = Weights.of(endpoints); // effective weights, so slow start takes effect
        long total = Weights.sum(configured);
        double scale = total > MAX_PERIOD ? (double) MAX_PERIOD / total : 1.0;
        int[] weight = new int[n];
        int sum = 0;
        for (int i = 0; i < n; i++) {
            weight[i] = Math.max(1, (int) Math.round(configured[i] * scale));
            sum += weight[i];
        }
        EndpointState[] cycle = new EndpointState[sum];
        long[] current = new long[n];
        for (int k = 0; k < sum; k++) {
            int best = 0;
            for (int i = 0; i < n; i++) {
                current[i] += weight[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= sum;
            cycle[k] = endpoints.get(best);
        }
        return cycle;
    }

    @Override
    public EndpointState pick() {
        return cycle[Math.floorMod(next.getAndIncrement(), cycle.length)];
    }

    @Override
    public List<EndpointState> endpoints() {
        return list;
    }

    /** The length of one full cycle (the sum of the weights, after any scaling). */
    int period() {
        return cycle.length;
    }
}
