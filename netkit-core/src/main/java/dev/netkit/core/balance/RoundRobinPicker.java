package dev.netkit.core.balance;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Each endpoint in turn: one atomic increment per pick. */
final class RoundRobinPicker implements Picker {
    private final EndpointState[] endpoints;
    private final List<EndpointState> list;
    private final AtomicInteger next = new AtomicInteger();

    RoundRobinPicker(List<EndpointState> endpoints) {
        this.list = endpoints;
        this.endpoints = endpoints.toArray(EndpointState[]::new);
    }

    @Override
    public EndpointState pick() {
        return endpoints[Math.floorMod(next.getAndIncrement(), endpoints.length)];
    }

    @Override
    public List<EndpointState> endpoints() {
        return list;
    }
}
