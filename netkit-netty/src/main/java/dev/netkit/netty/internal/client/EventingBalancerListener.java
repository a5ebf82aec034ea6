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
 * Turns the balancer's ejections, returns and breaker changes into events (JFR and the bus).
 * These are rare, so the events are always created.
 */
public final class EventingBalancerListener implements BalancerListener {
    private final Emitter emitter;

    public EventingBalancerListener(Emitter emitter) {
        this.emitter = emitter;
    }

    @Override
    public void ejected(Endpoint endpoint, String reason, Duration duration) {
        emitter.rare(new EndpointEjected(System.nanoTime(), endpoint, reason, duration));
    }

    @Override
    public void returned(Endpoint endpoint, String reason) {
        if (emitter.wanted(EndpointReturned.class)) {
            emitter.bus(new EndpointReturned(System.nanoTime(), endpoint, reason));
        }
    }

    @Override
    public void breakerChanged(Endpoint endpoint, String from, String to, String reason) {
        // The balancer passes BreakerState names (HealthBreakerWiring#breakerChanged in core.balance).
        emitter.rare(new BreakerStateChanged(System.nanoTime(), endpoint, BreakerState.valueOf(from),
                BreakerState.valueOf(to), reason));
    }




}
