package dev.netkit.core.event;

import dev.netkit.core.endpoint.Endpoint;
import java.time.Duration;

/**
 * Outlier detection took an endpoint out of service.
 *
 * @param nanoTime {@link System#nanoTime()} when it happened
 * @param endpoint the ejected endpoint
 * @param reason   the figures that decided it, e.g. {@code "5 consecutive failures"}
 * @param duration for how long (longer after each repeated ejection)
 */
public record EndpointEjected(long nanoTime, Endpoint endpoint, String reason, Duration duration) implements NetkitEvent {}
