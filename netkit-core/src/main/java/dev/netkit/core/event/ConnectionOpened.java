package dev.netkit.core.event;

import dev.netkit.core.endpoint.Endpoint;

/**
 * A connection was opened: on a client, a pool's connection to {@code endpoint} is ready for
 * requests; on a server, a connection from {@code endpoint} was accepted (within the connection
 * limit).
 *
 * @param nanoTime {@link System#nanoTime()} when it happened
 * @param endpoint the server (client side) or the peer (server side)
 * @param side     which end reported it
 */
public record ConnectionOpened(long nanoTime, Endpoint endpoint, Side side) implements NetkitEvent {}
