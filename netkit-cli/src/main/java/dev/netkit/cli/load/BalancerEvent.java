package dev.netkit.cli.load;

import dev.netkit.core.endpoint.Endpoint;

/**
 * One balancer event of a load run.
 *
 * @param nanoTime when it happened ({@link System#nanoTime()})
 * @param type     {@code ejected}, {@code ejection_skipped}, {@code returned}, {@code healthy},
 *                 {@code unhealthy}, {@code breaker}, {@code panic}, {@code panic_over} or
 *                 {@code membership}; or a mark from outside the balancer
 *                 ({@link BalancerEventLog#mark}: the demo's {@code killed}, {@code restarted})
 * @param endpoint the endpoint concerned, or null for balancer-wide events (panic)
 * @param detail   the balancer's reason, in words
 */
public record BalancerEvent(long nanoTime, String type, Endpoint endpoint, String detail) {}
