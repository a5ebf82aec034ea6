package dev.netkit.gateway;

import java.util.Map;

/**
 * A snapshot of a udp listener's counters (totals since it started).
 *
 * @param name               the listener
 * @param packetsFromClients datagrams received from clients (all of them, dropped ones included)
 * @param bytesFromClients   their bytes
 * @param packetsToUpstreams datagrams forwarded to endpoints
 * @param bytesToUpstreams   their bytes
 * @param packetsToClients   replies from endpoints sent back to clients
 * @param bytesToClients     their bytes
 * @param sessionsActive     sessions open now
 * @param sessionsCreated    sessions opened
 * @param sessionsExpired    sessions ended by {@code idle_timeout}
 * @param sessionsEnded      sessions ended for another reason: their endpoint unreachable (ICMP) or
 *                           failing, removed from the cluster, or out of service when the client's
 *                           next datagram came (that datagram opens a new session), or the listener
 *                           stopping
 * @param drops              datagrams dropped, by reason (zeros included): {@code max_sessions} (a new
 *                           client while the table is full), {@code no_upstream} (no endpoint in
 *                           service), {@code oversize} (over {@code max_datagram_size}, either way),
 *                           {@code queue_full} (a socket's send queue over its high-water mark),
 *                           {@code upstream_unreachable} (an ICMP port-unreachable ended the session:
 *                           counts the error, the datagram that caused it is lost upstream),
 *                           {@code upstream_error} (another socket error), {@code socket_error}
 *                           (an upstream socket could not be opened or connected, or the listening socket reported an error)
 * @param ipRefusals         datagrams of clients without a session refused by {@code ip_policy}, by
 *                           reason (zeros included); not in {@code drops}
 * @param endpoints          per endpoint ({@code host:port}): sessions and traffic each way
 */
public record UdpListenerStats(
        String name,
        long packetsFromClients,
        long bytesFromClients,
        long packetsToUpstreams,
        long bytesToUpstreams,
        long packetsToClients,
        long bytesToClients,
        long sessionsActive,
        long sessionsCreated,
        long sessionsExpired,
        long sessionsEnded,
        Map<String, Long> drops,
        Map<String, Long> ipRefusals,
        Map<String, EndpointTraffic> endpoints) implements ListenerStats {

    /** Copies the maps. */
    public UdpListenerStats {
        drops = Map.copyOf(drops);
        ipRefusals = Map.copyOf(ipRefusals);
        endpoints = Map.copyOf(endpoints);
    }

    /** The drops of one reason, 0 when none. */
    public long dropped(String reason) {
        return drops.getOrDefault(reason, 0L);
    }

    /** Sessions and datagrams of one endpoint. */
    public record EndpointTraffic(long sessions, long packetsToUpstream, long bytesToUpstream, long packetsFromUpstream,
                                  long bytesFromUpstream) {}
}
