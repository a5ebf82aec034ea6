package dev.netkit.core.balance;

import dev.netkit.core.endpoint.Endpoint;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tells every event to each listener in order; one that throws is logged and the rest still hear it. */
final class CompositeBalancerListener implements BalancerListener {
    private static final Logger log = LoggerFactory.getLogger(CompositeBalancerListener.class);

    private final List<BalancerListener> listeners;

    CompositeBalancerListener(List<BalancerListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    private void each(Consumer<BalancerListener> call) {
        for (BalancerListener listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                log.warn("balancer listener {} failed; ignored", listener, e);
            }
        }
    }

    @Override
    public void ejected(Endpoint endpoint, String reason, Duration duration) {
        each(l -> l.ejected(endpoint, reason, duration));
    }

    @Override
    public void ejectionSkipped(Endpoint endpoint, String reason) {
        each(l -> l.ejectionSkipped(endpoint, reason));
    }

    @Override
    public void returned(Endpoint endpoint, String reason) {
        each(l -> l.returned(endpoint, reason));
    }

    @Override
    public void healthChanged(Endpoint endpoint, boolean healthy, String reason) {
        each(l -> l.healthChanged(endpoint, healthy, reason));
    }

    @Override
    public void breakerChanged(Endpoint endpoint, String from, String to, String reason) {
        each(l -> l.breakerChanged(endpoint, from, to, reason));
    }

    @Override
    public void panicChanged(boolean panic, int inService, int total) {
        each(l -> l.panicChanged(panic, inService, total));
    }

    @Override
    public void membershipChanged(Endpoint endpoint, String change) {
        each(l -> l.membershipChanged(endpoint, change));
    }
}
