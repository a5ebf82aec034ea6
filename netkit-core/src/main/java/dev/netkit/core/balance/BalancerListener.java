package dev.netkit.core.balance;

import dev.netkit.core.endpoint.Endpoint;
import java.time.Duration;

/**
 * Hooks for the balancer's events, for metrics, logs and timelines. Every method has an empty
 * default. They are called after the change is made, outside the balancer's lock, on the thread
 * that caused it (a request's completion, the timer thread, a health check); they must be fast
 * and must not block. An exception thrown by a listener is logged and ignored.
 */
public interface BalancerListener {
    /** A listener that does nothing. */
    BalancerListener NONE = new BalancerListener() {};

    /**
     * One listener telling every event to each of {@code listeners} in order; one that throws is
     * logged and the others still hear the event.
     */
    static BalancerListener all(BalancerListener... listeners) {
        return new CompositeBalancerListener(java.util.List.of(listeners));
    }

    /** Outlier detection took {@code endpoint} out of service for {@code duration}. */
    default void ejected(Endpoint endpoint, String reason, Duration duration) {}

    /** Outlier detection would have ejected {@code endpoint}, but the max ejected share was reached. */
    default void ejectionSkipped(Endpoint endpoint, String reason) {}

    /** An ejected endpoint is back in service (its time ran out, or an active check passed). */
    default void returned(Endpoint endpoint, String reason) {}

    /** The active health check of {@code endpoint} changed its verdict. */
    default void healthChanged(Endpoint endpoint, boolean healthy, String reason) {}

    /** The circuit breaker of {@code endpoint} changed state (e.g. CLOSED to OPEN). */
    default void breakerChanged(Endpoint endpoint, String from, String to, String reason) {}

    /** Too few endpoints are in service: the balancer now picks from all ({@code true}), or again from the healthy ones. */
    default void panicChanged(boolean panic, int inService, int total) {}

    /** An endpoint was added, removed or reweighted. */
    default void membershipChanged(Endpoint endpoint, String change) {}
}
