package dev.netkit.core.balance;

import dev.netkit.core.endpoint.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Endpoint lists for the balancing tests: distinct addresses 10.0.x.y:7000, in index order. */
final class TestEndpoints {
    private TestEndpoints() {}

    /** The address of endpoint {@code i} (0-based). */
    static Endpoint address(int i) {
        return new Endpoint("10.0." + (i / 250) + "." + (i % 250 + 1), 7000);
    }

    /** {@code n} endpoints of weight 1, no zone. */
    static List<EndpointState> equal(int n) {
        int[] weights = new int[n];
        java.util.Arrays.fill(weights, 1);
        return weighted(weights);
    }

    /** One endpoint per weight, no zone. */
    static List<EndpointState> weighted(int... weights) {
        List<EndpointState> list = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            list.add(new EndpointState(WeightedEndpoint.of(address(i), weights[i])));
        }
        return list;
    }

    /** Endpoint {@code i} in {@code zone}, weight 1. */
    static EndpointState inZone(int i, String zone) {
        return new EndpointState(new WeightedEndpoint(address(i), 1, zone, Map.of()));
    }
}
