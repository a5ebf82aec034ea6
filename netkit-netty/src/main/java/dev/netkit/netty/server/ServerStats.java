package dev.netkit.netty.server;

import java.util.Map;

/**
 * A point-in-time snapshot of a {@link FrameServer}'s counters (totals since start).
 *
 * @param connectionsAccepted connections admitted
 * @param connectionsRejected connections closed at once because {@code maxConnections} was reached
 * @param activeConnections   connections open now
 * @param requests            complete request frames received and dispatched
 * @param responses           responses written
 * @param noReply             requests whose handler chose to send nothing
 * @param handlerErrors       requests whose handler threw or failed (no reply sent)
 * @param oversizedResponses  responses over the frame limit, dropped
 * @param protocolViolations  connections closed for a frame length below 4
 * @param readTimeouts        connections closed because a started frame stalled
 * @param idleTimeouts        connections closed for being idle
 * @param writeTimeouts       connections closed because the peer did not read its responses
 * @param inFlight            requests being handled now (async and blocking handlers)
 * @param bytesReceived       bytes read from clients (whole frames, headers included)
 * @param bytesSent           bytes handed to clients' connections (response frames, headers included)
 * @param discardedResponses  answers that completed after their client's connection had closed
 * @param handlerClosed       connections closed because a handler asked to
 *                            ({@link CloseConnectionException})
 * @param ipRefusals          connections closed at once by the client IP policy
 *                            ({@link FrameServerConfig#ipPolicy()}), by reason: every
 *                            {@link dev.netkit.core.ip.IpRefusal#label()} ({@code denied},
 *                            {@code not_allowed}, {@code max_connections_per_ip}, {@code rate_per_ip},
 *                            {@code too_many_ips}) is a key, zeros included. Not in
 *                            {@code connectionsAccepted} nor {@code connectionsRejected}
 * @param throttledReads      times a connection stopped reading to wait for rate-limit tokens
 *                            ({@link FrameServerConfig#limits()}, shaping)
 * @param throttledNanos      time connections spent not reading for rate limits, summed over
 *                            connections (nanoseconds)
 * @param rateLimited         connections closed by a rate limit (policing, or a read needing more
 *                            than a minute of tokens when shaping)
 */
public record ServerStats(
        long connectionsAccepted,
        long connectionsRejected,
        long activeConnections,
        long requests,
        long responses,
        long noReply,
        long handlerErrors,
        long oversizedResponses,
        long protocolViolations,
        long readTimeouts,
        long idleTimeouts,
        long writeTimeouts,
        long inFlight,
        long bytesReceived,
        long bytesSent,
        long discardedResponses,
        long handlerClosed,
        Map<String, Long> ipRefusals,
        long throttledReads,
        long throttledNanos,
        long rateLimited) {

    /** Copies the refusals. */
    public ServerStats {
        ipRefusals = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(ipRefusals)); // keeps the reasons' order
    }

    /** All connections refused by the client IP policy, whatever the reason. */
    public long ipRefusedTotal() {
        return ipRefusals.values().stream().mapToLong(Long::longValue).sum();
    }
}
