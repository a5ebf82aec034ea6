package dev.netkit.core.event;

import dev.netkit.core.endpoint.Endpoint;

/**
 * Something a netkit component reports to an {@link EventBus}. The set is closed so a listener
 * can {@code switch} over it exhaustively.
 *
 * <p>{@link #nanoTime()} is {@link System#nanoTime()} when the event happened: it orders events
 * of one process and measures the time between them, but it is not a wall-clock time (stamp one on
 * receipt if needed; delivery is usually within microseconds).
 */
public sealed interface NetkitEvent permits ConnectionOpened, ConnectionClosed, ResponseReceived, RequestFailed,
        SlowRequest, PoolExhausted, EndpointEjected, EndpointReturned, BreakerStateChanged, LimitReached,
        ConnectionRefused, TlsHandshakeCompleted, TlsHandshakeFailed {

    /** {@link System#nanoTime()} when the event happened. */
    long nanoTime();

    /**
     * What the event is about: on a client, the server endpoint; on a server, the peer of the
     * connection (connection events) or the server's own bound address (limits).
     */
    Endpoint endpoint();

    /**
     * Whether this is a per-request event (one or more per request: high volume). An
     * {@link EventBus} only carries them to listeners that subscribed to them by type.
     */
    default boolean perRequest() {
        return false;
    }
}
