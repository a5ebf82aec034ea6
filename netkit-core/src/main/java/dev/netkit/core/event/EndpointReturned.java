package dev.netkit.core.event;

import dev.netkit.core.endpoint.Endpoint;

/**
 * An ejected endpoint is back in service: its ejection ran out, or an active check passed.
 *
 * @param nanoTime {@link System#nanoTime()} when it happened
 * @param endpoint the endpoint
 * @param reason   why it returned
 */
public record EndpointReturned(long nanoTime, Endpoint endpoint, String reason) implements NetkitEvent {}
