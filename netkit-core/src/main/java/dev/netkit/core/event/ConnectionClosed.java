package dev.netkit.core.event;

import dev.netkit.core.endpoint.Endpoint;

/**
 * A connection reported by {@link ConnectionOpened} was closed.
 *
 * <p>Reasons are stable snake_case labels. A client reports its pool's
 * {@link dev.netkit.core.pool.CloseReason#label()} ({@code idle}, {@code lifetime},
 * {@code validation}, {@code peer_closed}, {@code error}, {@code evicted}, {@code pool_closed}); a
 * server reports {@code peer_closed}, {@code server_stopped}, {@code idle_timeout},
 * {@code read_timeout}, {@code write_timeout}, {@code protocol_violation} or {@code error}.
 *
 * @param nanoTime {@link System#nanoTime()} when it happened
 * @param endpoint the server (client side) or the peer (server side)
 * @param side     which end reported it
 * @param reason   why it closed
 */
public record ConnectionClosed(long nanoTime, Endpoint endpoint, Side side, String reason) implements NetkitEvent {}
