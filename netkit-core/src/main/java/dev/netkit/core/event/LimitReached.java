package dev.netkit.core.event;

import dev.netkit.core.endpoint.Endpoint;

/**
 * A server reached one of its limits, or a broker its send rate limit. (A client's bound on
 * waiting requests is its pools' {@code maxPending}, reported as {@link PoolExhausted}.)
 *
 * @param nanoTime {@link System#nanoTime()} when it happened
 * @param endpoint for {@link Limit#SEND_RATE_LIMIT} null (the broker's own limit), for
 *                 {@link Limit#MAX_CONNECTIONS} the refused peer, for
 *                 {@link Limit#UDP_RATE_PER_SOURCE} the limited source; for
 *                 {@link Limit#MAX_CONCURRENT_REQUESTS} and {@link Limit#UDP_BLOCKING_QUEUE} the
 *                 server's bound address
 * @param limit    which limit
 * @param value    the configured limit
 * @param current  the count that reached it (connections open, requests in flight)
 */
public record LimitReached(long nanoTime, Endpoint endpoint, Limit limit, long value, long current) implements NetkitEvent {

    /** The limits a server reports. */
    public enum Limit {
        /**
         * {@code maxConnections}: reported once per refused connection (the peer is accepted and
         * closed at once).
         */
        MAX_CONNECTIONS,
        /**
         * {@code maxConcurrentRequests}: reported once each time the server becomes saturated (the
         * first connection stops reading for want of a permit), not once per paused connection.
         */
        MAX_CONCURRENT_REQUESTS,
        /**
         * A UDP server's per-source packet rate: reported once when a source starts being limited
         * (its first dropped datagram after an admitted one), with the source as the endpoint, the
         * rate (packets/s) as the value and the datagrams admitted in its burst as current.
         */
        UDP_RATE_PER_SOURCE,
        /**
         * A UDP server's queue for blocking handlers is full: reported once per saturation (the
         * first datagram dropped after one was queued), with the server's bound address as the
         * endpoint, the capacity as value and current.
         */
        UDP_BLOCKING_QUEUE,
        /**
         * A requests/s or bytes/s limit ({@code FrameServerConfig.limits}): a connection stopped
         * reading to wait for tokens ({@code value} = the wait in microseconds) or was closed by
         * policing ({@code value} = 0); {@code endpoint} is that client; {@code current} is 0.
         * Reported at most once a second per server.
         */
        RATE_LIMIT,
        /**
         * A broker's send limit ({@code BrokerConfig.sendLimit}): a send was delayed
         * ({@code value} = its wait in microseconds) or refused ({@code value} = 0: its wait would
         * outlast its deadline, or {@code maxDelayedSends} were waiting); {@code current} = sends
         * waiting for tokens; {@code endpoint} is null. Reported at most once a second per broker.
         */
        SEND_RATE_LIMIT
    }
}
