package dev.netkit.gateway;

import java.util.Map;

/**
 * A snapshot of an L4 listener's counters (totals since it started).
 *
 * @param name             the listener
 * @param accepted         client connections accepted
 * @param active           client connections open now
 * @param refused          client connections closed at once: {@code max_connections} reached
 * @param noUpstream       client connections closed because no endpoint could be connected
 * @param connectFailures  upstream connects that failed (each attempt)
 * @param connectRetries   connects retried on another endpoint after a failure
 * @param idleTimeouts     proxied connections closed for idleness
 * @param stickyFull       clients not remembered because the sticky table was full
 * @param bytesFromClients bytes read from clients (sent upstream)
 * @param bytesToClients   bytes read from upstreams (sent to clients)
 * @param endpoints        per endpoint ({@code host:port}): connections and bytes each way
 * @param ipRefusals       client connections closed at once by the listener's {@code ip_policy}, by
 *                         reason ({@code denied}, {@code not_allowed}, {@code max_connections_per_ip},
 *                         {@code rate_per_ip}, {@code too_many_ips}; zeros included); not in
 *                         {@code accepted} nor {@code refused}
 * @param tlsHandshakes    client TLS handshakes completed (0 without {@code tls:})
 * @param tlsFailures      client connections closed for a TLS reason, by label ({@code not_tls},
 *                         {@code handshake_timeout}, {@code too_many_handshakes}, certificate
 *                         reasons under mTLS ...; zeros included; empty without {@code tls:})
 */
public record TcpListenerStats(
        String name,
        long accepted,
        long active,
        long refused,
        long noUpstream,
        long connectFailures,
        long connectRetries,
        long idleTimeouts,
        long stickyFull,
        long bytesFromClients,
        long bytesToClients,
        Map<String, EndpointBytes> endpoints,
        Map<String, Long> ipRefusals,
        long tlsHandshakes,
        Map<String, Long> tlsFailures) implements ListenerStats {

    /** Connections and bytes of one endpoint. */
    public record EndpointBytes(long connections, long bytesToUpstream, long bytesFromUpstream) {}
}
