package dev.netkit.gateway.admin;

import dev.netkit.core.balance.BalancerStats;
import dev.netkit.core.balance.EndpointStats;
import dev.netkit.core.balance.LoadBalancer;
import dev.netkit.core.pool.PoolStats;
import dev.netkit.gateway.Gateway;
import dev.netkit.gateway.AnetListenerStats;
import dev.netkit.gateway.ListenerStats;
import dev.netkit.gateway.internal.GatewayListener;
import dev.netkit.gateway.internal.anet.AnetProxyListener;
import dev.netkit.gateway.internal.cluster.ClusterRuntime;
import dev.netkit.gateway.TcpListenerStats;
import dev.netkit.gateway.internal.tcp.TcpProxyListener;
import dev.netkit.gateway.UdpListenerStats;
import dev.netkit.gateway.internal.udp.UdpProxyListener;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.server.ServerStats;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The documents of {@code GET /stats} and {@code GET /clusters}: nested maps (keys in a fixed
 * order, snake_case as in the config file) read from the gateway's stats snapshots at the moment
 * of the request, for {@link Json}.
 */
final class StatsView {
    private StatsView() {}

    /** {@code {"listeners": {NAME: {...}}}}, in file order. */
    static Map<String, Object> listeners(Gateway gateway) {
        Map<String, Object> listeners = new LinkedHashMap<>();
        for (ListenerStats stats : gateway.listenerStats()) {
            switch (stats) {
                case AnetListenerStats a -> listeners.put(a.name(), anet(a));
                case TcpListenerStats t -> listeners.put(t.name(), tcp(t));
                case UdpListenerStats u -> listeners.put(u.name(), udp(u));
            }
        }
        return Map.of("listeners", listeners);
    }

    private static Map<String, Object> anet(AnetListenerStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("protocol", "anet");
        m.put("requests", s.requests());
        m.put("answered", s.answered());
        m.put("failures", new TreeMap<>(s.failures()));
        m.put("dropped", s.dropped());
        m.put("closed", s.closed());
        ServerStats v = s.server();
        Map<String, Object> server = new LinkedHashMap<>();
        server.put("connections_active", v.activeConnections());
        server.put("connections_accepted", v.connectionsAccepted());
        server.put("connections_rejected", v.connectionsRejected());
        server.put("ip_refusals", v.ipRefusals());
        server.put("in_flight", v.inFlight());
        server.put("discarded_responses", v.discardedResponses());
        server.put("timeouts", map("read", v.readTimeouts(), "idle", v.idleTimeouts(), "write", v.writeTimeouts()));
        server.put("protocol_violations", v.protocolViolations());
        server.put("bytes_received", v.bytesReceived());
        server.put("bytes_sent", v.bytesSent());
        m.put("server", server);
        if (!s.routeLimits().isEmpty()) {
            m.put("route_limits", s.routeLimits());
        }
        if (s.fleet() != null) { // rate_limits.fleet_requests: frames it refused close their connection (server.rate_limited)
            Map<String, Object> fleet = new LinkedHashMap<>();
            fleet.put("admitted", s.fleet().admitted());
            fleet.put("rate_limited", s.fleet().rejected());
            fleet.putAll(dev.netkit.gateway.internal.anet.FleetStatsMap.of(s.fleet()));
            m.put("fleet_requests", fleet);
        }
        return m;
    }

    private static Map<String, Object> tcp(TcpListenerStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("protocol", "tcp");
        m.put("accepted", s.accepted());
        m.put("active", s.active());
        m.put("refused", s.refused());
        m.put("ip_refusals", s.ipRefusals());
        if (!s.tlsFailures().isEmpty()) {
            m.put("tls_handshakes", s.tlsHandshakes());
            m.put("tls_failures", s.tlsFailures());
        }
        m.put("no_upstream", s.noUpstream());
        m.put("connect_failures", s.connectFailures());
        m.put("connect_retries", s.connectRetries());
        m.put("idle_timeouts", s.idleTimeouts());
        m.put("sticky_full", s.stickyFull());
        m.put("bytes_from_clients", s.bytesFromClients());
        m.put("bytes_to_clients", s.bytesToClients());
        Map<String, Object> endpoints = new TreeMap<>();
        s.endpoints().forEach((endpoint, e) -> endpoints.put(endpoint, map("connections", e.connections(),
                "bytes_to_upstream", e.bytesToUpstream(), "bytes_from_upstream", e.bytesFromUpstream())));
        m.put("endpoints", endpoints);
        return m;
    }

    private static Map<String, Object> udp(UdpListenerStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("protocol", "udp");
        m.put("packets_from_clients", s.packetsFromClients());
        m.put("bytes_from_clients", s.bytesFromClients());
        m.put("packets_to_upstreams", s.packetsToUpstreams());
        m.put("bytes_to_upstreams", s.bytesToUpstreams());
        m.put("packets_to_clients", s.packetsToClients());
        m.put("bytes_to_clients", s.bytesToClients());
        m.put("sessions", map("active", s.sessionsActive(), "created", s.sessionsCreated(), "expired", s.sessionsExpired(),
                "ended", s.sessionsEnded()));
        m.put("drops", new TreeMap<>(s.drops()));
        m.put("ip_refusals", new TreeMap<>(s.ipRefusals()));
        Map<String, Object> endpoints = new TreeMap<>();
        s.endpoints().forEach((endpoint, e) -> endpoints.put(endpoint, map("sessions", e.sessions(),
                "packets_to_upstream", e.packetsToUpstream(), "bytes_to_upstream", e.bytesToUpstream(),
                "packets_from_upstream", e.packetsFromUpstream(), "bytes_from_upstream", e.bytesFromUpstream())));
        m.put("endpoints", endpoints);
        return m;
    }

    /**
     * {@code {"clusters": {NAME: {"endpoints": [...], "broker": {...} | null, "tcp": {LISTENER: {...}}, "udp": {LISTENER: {...}}}}}}:
     * the broker's balancer (request-level traffic; null until a route used the cluster) with each
     * endpoint's upstream connections, and the balancer of each tcp and udp listener sending to it.
     */
    static Map<String, Object> clusters(Gateway gateway) {
        Map<LoadBalancer, String> tcpListeners = new IdentityHashMap<>();
        Map<LoadBalancer, String> udpListeners = new IdentityHashMap<>();
        for (GatewayListener l : gateway.listeners()) {
            if (l instanceof TcpProxyListener t) {
                tcpListeners.put(t.route().balancer(), t.name());
            } else if (l instanceof UdpProxyListener u) {
                udpListeners.put(u.route().balancer(), u.name());
            }
        }
        Map<String, Object> clusters = new LinkedHashMap<>();
        for (ClusterRuntime c : gateway.clusters()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("endpoints", c.config().endpoints().stream().map(e -> e.address().toString()).toList());
            Broker broker = c.brokerIfCreated();
            m.put("broker", broker == null ? null : broker(broker));
            Map<String, Object> tcp = new LinkedHashMap<>();
            Map<String, Object> udp = new LinkedHashMap<>();
            for (LoadBalancer lb : c.connectionBalancers()) {
                if (udpListeners.containsKey(lb)) {
                    udp.put(udpListeners.get(lb), balancer(lb.stats(), Map.of()));
                    continue;
                }
                // a balancer no running listener holds belongs to one stopping in a reload right now
                String listener = tcpListeners.getOrDefault(lb, "(retiring " + tcp.size() + ")");
                tcp.put(listener, balancer(lb.stats(), Map.of()));
            }
            m.put("tcp", tcp);
            m.put("udp", udp);
            clusters.put(c.name(), m);
        }
        return Map.of("clusters", clusters);
    }

    private static Map<String, Object> broker(Broker broker) {
        Map<String, Object> pools = new LinkedHashMap<>();
        for (PoolStats p : broker.poolStats()) {
            Map<String, Object> pool = map("total", p.total(), "idle", p.idle(), "leased", p.leased(),
                    "in_flight", p.inFlight(), "pending", p.pending(), "dialing", p.dialing(),
                    "opened", p.created(), "closed", p.closed(), "dial_failures", p.dialFailures());
            if (!p.classes().isEmpty()) { // the cluster's qos: its waiting line by class
                Map<String, Object> classes = new LinkedHashMap<>();
                for (PoolStats.ClassWaiters c : p.classes()) {
                    classes.put(c.name(), map("waiting", c.waiting(), "refused", c.refused()));
                }
                pool.put("qos", classes);
            }
            pools.put(p.endpoint().toString(), pool);
        }
        return balancer(broker.balancerStats(), pools);
    }

    private static Map<String, Object> balancer(BalancerStats b, Map<String, Object> pools) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("in_service", b.inService());
        m.put("panic", b.panic());
        m.put("ejections", b.ejections());
        Map<String, Object> endpoints = new LinkedHashMap<>();
        for (EndpointStats e : b.endpoints()) {
            Map<String, Object> x = endpoint(e);
            String address = e.address().toString();
            if (pools.containsKey(address)) {
                x.put("upstream_connections", pools.get(address));
            }
            endpoints.put(address, x);
        }
        m.put("endpoints", endpoints);
        return m;
    }

    private static Map<String, Object> endpoint(EndpointStats e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", e.status().name());
        m.put("reason", e.lastReason());
        m.put("zone", e.zone());
        m.put("weight", e.weight());
        m.put("effective_weight", e.effectiveWeight());
        m.put("outstanding", e.outstanding());
        m.put("latency_ewma_ms", e.latencyMillis());
        m.put("requests", e.picks());
        m.put("successes", e.successes());
        m.put("errors", e.failures());
        m.put("ejections", e.ejections());
        m.put("breaker", e.breaker());
        return m;
    }

    private static Map<String, Object> map(Object... pairs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
