package dev.netkit.netty.internal.client;

import dev.netkit.core.balance.BalancerListener;
import dev.netkit.core.breaker.BreakerState;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.event.BreakerStateChanged;
import dev.netkit.core.event.EndpointEjected;
import dev.netkit.core.event.EndpointReturned;
import dev.netkit.netty.internal.event.Emitter;
import java.time.Duration;

/**
 * Turns the balancer's ejections, returns and breaker changes into events (JFR and the bus), then
 * passes every call on. These are rare, so the events are always created.
 */
public final class EventingBalancerListener implements BalancerListener {
    private final Emitter emitter;
    private final BalancerListener next;

    public EventingBalancerListener(Emitter emitter, BalancerListener next) {
        this.emitter = emitter;
        this.next = next;
    }

    @Override
    public void ejected(Endpoint endpoint, String reason, Duration duration) {
        emitter.rare(new EndpointEjected(System.nanoTime(), endpoint, reason, duration));
        next.ejected(endpoint, reason, duration);
    }

    @Override
    public void returned(Endpoint endpoint, String reason) {
        if (emitter.wanted(EndpointReturned.class)) {
            emitter.bus(new EndpointReturned(System.nanoTime(), endpoint, reason));
        }
        next.returned(endpoint, reason);
    }

    @Override
    public void breakerChanged(Endpoint endpoint, String from, String to, String reason) {
        // The balancer passes BreakerState names (LoadBalancer#breakerChanged).
        emitter.rare(new BreakerStateChanged(System.nanoTime(), endpoint, BreakerState.valueOf(from),
                BreakerState.valueOf(to), reason));
        next.breakerChanged(endpoint, from, to, reason);
    }

    @Override
    public void ejectionSkipped(Endpoint endpoint, String reason) {
        next.ejectionSkipped(endpoint, reason);
    }

    @Override
    public void healthChanged(Endpoint endpoint, boolean healthy, String reason) {
        next.healthChanged(endpoint, healthy, reason);
    }

    @Override
    public void panicChanged(boolean panic, int inService, int total) {
        next.panicChanged(panic, inService, total);
    }

    @Override
    public void membershipChanged(Endpoint endpoint, String change) {
        next.membershipChanged(endpoint, change);
    }
}
