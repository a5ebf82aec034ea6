package dev.netkit.netty.client;

/**
 * A point-in-time snapshot of a {@link Broker}'s counters (totals since creation).
 *
 * @param sent               requests written to a connection
 * @param responses          requests completed with a response
 * @param timeouts           requests failed by their deadline
 * @param connectionFailures attempts failed because their connection was lost or never opened
 *                           (a retried attempt counts too)
 * @param protocolViolations connections closed because the peer broke the protocol
 * @param lateResponses      responses discarded because their request had timed out or been cancelled
 * @param rejected           sends refused at once because the pool's waiting line was full
 * @param retries            failed attempts sent again to another endpoint
 * @param inFlight           requests admitted and not yet completed
 * @param openConnections    connections established now
 * @param connectionsOpened  connections opened since creation, over all endpoints
 * @param reuseRate          share of requests sent on an already used connection (0 before any)
 * @param bytesSent          bytes handed to connections (request frames, headers included)
 * @param bytesReceived      bytes read from connections (response frames, headers included)
 * @param throttled          sends delayed by the {@link BrokerConfig#sendLimit()} before they went
 * @param throttledNanos     the delays of those sends, summed (nanoseconds)
 * @param rateLimited        sends refused by the send limit ({@code rate_limited}: the wait would
 *                           outlast the deadline, or {@code maxDelayedSends} already waited)
 */
public record BrokerStats(
        long sent,
        long responses,
        long timeouts,
        long connectionFailures,
        long protocolViolations,
        long lateResponses,
        long rejected,
        long retries,
        long inFlight,
        long openConnections,
        long connectionsOpened,
        double reuseRate,
        long bytesSent,
        long bytesReceived,
        long throttled,
        long throttledNanos,
        long rateLimited) {}
