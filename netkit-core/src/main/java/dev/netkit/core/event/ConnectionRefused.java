package dev.netkit.core.event;

import dev.netkit.core.endpoint.Endpoint;

/**
 * A server refused a new connection because of its client IP policy
 * ({@link dev.netkit.core.ip.IpPolicy}): the connection was accepted and closed at once, before
 * anything was read. One event per refused connection (a flood of refused clients is a flood of
 * events: the bus drops what it cannot carry, and counts it). Also a JFR event,
 * {@code dev.netkit.ConnectionRefused}.
 *
 * @param nanoTime {@link System#nanoTime()} when it happened
 * @param endpoint the refused peer
 * @param reason   the {@link dev.netkit.core.ip.IpRefusal#label()}: {@code denied},
 *                 {@code not_allowed}, {@code max_connections_per_ip}, {@code rate_per_ip},
 *                 {@code too_many_ips}
 */
public record ConnectionRefused(long nanoTime, Endpoint endpoint, String reason) implements NetkitEvent {}
