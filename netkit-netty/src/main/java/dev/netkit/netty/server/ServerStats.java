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
 * @param tlsHandshakes       TLS handshakes completed (0 on a plaintext server)
 * @param tlsFailures         connections closed for a TLS reason, by
 *                            {@link dev.netkit.netty.tls.TlsFailure#label()}: every label is a key,
 *                            zeros included. On a TLS server: {@code not_tls} (a plaintext client),
 *                            {@code handshake_timeout}, {@code too_many_handshakes} (closed at
 *                            accept; not in {@code connectionsAccepted}), certificate reasons under
 *                            mTLS, ...; on a plaintext server: {@code tls_on_plaintext_port}
 * @param tlsReloads          TLS material reloads that took effect (explicit or by file change)
 * @param tlsReloadFailures   TLS reloads rejected (broken files): the previous material stayed
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
        long rateLimited,
        long tlsHandshakes,
        Map<String, Long> tlsFailures,
        long tlsReloads,
        long tlsReloadFailures) {

    /** Copies the refusals. */
    public ServerStats {
        ipRefusals = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(ipRefusals)); // keeps the reasons' order
        tlsFailures = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tlsFailures));
    }

    /** All connections closed for a TLS reason, whatever the reason. */
    public long tlsFailedTotal() {
        return tlsFailures.values().stream().mapToLong(Long::longValue).sum();
    }

    /** All connections refused by the client IP policy, whatever the reason. */
    public long ipRefusedTotal() {
        return ipRefusals.values().stream().mapToLong(Long::longValue).sum();
    }
}
