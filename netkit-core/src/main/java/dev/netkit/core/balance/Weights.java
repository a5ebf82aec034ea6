package dev.netkit.core.balance;

import java.util.List;

/** The weights a snapshot is built with: each endpoint's effective weight, read once. */
final class Weights {
    private Weights() {}

    /**
     * The effective weights of {@code endpoints}, in order. A weight below 1 (the control plane
     * may scale a slow-starting endpoint very low) counts as 1: an endpoint in a snapshot still
     * gets some traffic, and no picker has to handle a zero total.
     */
    static int[] of(List<EndpointState> endpoints) {
        int[] weights = new int[endpoints.size()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = Math.max(1, endpoints.get(i).effectiveWeight());
        }
        return weights;
    }

    /** The largest of {@code weights} (at least 1). */
    static int max(int[] weights) {
        int max = 1;
        for (int w : weights) {
            max = Math.max(max, w);
        }
        return max;
    }

    /** The sum of {@code weights}, in a long (many endpoints of weight 10,000 overflow an int). */
    static long sum(int[] weights) {
        long sum = 0;
        for (int w : weights) {
            sum += w;
        }
        return sum;
    }
}
