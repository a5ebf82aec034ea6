package dev.netkit.core.event;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.breaker.BreakerState;

/**
 * The circuit breaker of an endpoint changed state.
 *
 * @param nanoTime {@link System#nanoTime()} when it happened
 * @param endpoint the breaker's endpoint
 * @param from     the state left
 * @param to       the state entered
 * @param reason   the figures that decided it, e.g. {@code "failure rate 55.0% >= 50.0% over the last 20 calls"}
 */
public record BreakerStateChanged(long nanoTime, Endpoint endpoint, BreakerState from, BreakerState to, String reason)
        implements NetkitEvent {}
