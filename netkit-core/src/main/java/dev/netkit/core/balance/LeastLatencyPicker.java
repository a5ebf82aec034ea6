package dev.netkit.core.balance;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Power of two choices on {@link EndpointState#latencyCost()} (Finagle's P2C + peak EWMA): two
 * distinct endpoints, the cheaper wins, ties go to the first drawn.
 */
final class LeastLatencyPicker implements Picker {
    private final List<EndpointState> list;
    private final EndpointState[] endpoints;

    LeastLatencyPicker(List<EndpointState> endpoints) {
        this.list = endpoints;
        this.endpoints = endpoints.toArray(EndpointState[]::new);
    }

    @Override
    public EndpointState pick() {
        int n = endpoints.length;
        if (n == 1) {
            return endpoints[0];
        }
        long pair = PowerOfTwoPicker.drawPair(n, ThreadLocalRandom.current());
        EndpointState first = endpoints[(int) (pair >>> 32)];
        EndpointState second = endpoints[(int) pair];
        return second.cheaperThan(first) ? second : first;
    }

    @Override
    public List<EndpointState> endpoints() {
        return list;
    }
}
