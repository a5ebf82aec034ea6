package dev.netkit.core.health;

import dev.netkit.core.endpoint.Endpoint;

/**
 * Told when an endpoint's health changes: once per transition, in order, never for the initial
 * state. Called on the thread that completed the deciding check (the checker's thread or the
 * scheduler's), so it must be fast and must not block; the runner starts no further check of that
 * endpoint until it returns. An exception it throws is logged and ignored.
 */
@FunctionalInterface
public interface HealthListener {
    /** A listener that does nothing. */
    HealthListener NONE = (endpoint, healthy, reason) -> {};

    /**
     * The endpoint became healthy or unhealthy.
     *
     * @param reason why, for logs: for example {@code "2 consecutive checks passed"} or
     *               {@code "3 consecutive checks failed; last: connect to 127.0.0.1:7001 refused"}
     */
    void onHealthChanged(Endpoint endpoint, boolean healthy, String reason);

    /**
     * A check of a healthy endpoint passed (every time, not only on transitions): a load balancer
     * uses it to return an endpoint that passive outlier detection ejected. Same thread rules.
     */
    default void onCheckPassed(Endpoint endpoint) {}
}
