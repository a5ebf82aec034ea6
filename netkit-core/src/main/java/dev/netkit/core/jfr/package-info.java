/**
 * Java Flight Recorder events for the rare, important things: a pool exhausted, an endpoint
 * ejected, a circuit breaker changing state, a slow request, a server limit reached, a connection refused by a client IP policy. They are
 * emitted whether or not an {@link dev.netkit.core.event.EventBus} listens, and cost next to
 * nothing when no recording has them enabled. All are in the JFR category {@code netkit} and named
 * {@code dev.netkit.*}, e.g. {@code jfr print --events dev.netkit.EndpointEjected rec.jfr}.
 */
package dev.netkit.core.jfr;
