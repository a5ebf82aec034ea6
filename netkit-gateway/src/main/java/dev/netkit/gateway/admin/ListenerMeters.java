package dev.netkit.gateway.admin;

import dev.netkit.gateway.AnetListenerStats;
import dev.netkit.gateway.ListenerStats;
import dev.netkit.gateway.TcpListenerStats;
import dev.netkit.gateway.UdpListenerStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleSupplier;
import dev.netkit.core.ip.IpRefusal;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The gateway's own meters of one listener, tag {@code listener}, read from the stats snapshot
 * the last {@link #update} stored (one per scrape: every meter of a scrape sees the same one).
 * Prometheus names:
 * <ul>
 * <li>anet: {@code netkit_gateway_requests_total}, {@code netkit_gateway_answered_total},
 *     {@code netkit_gateway_failures_total{kind}} (a kind appears with its first failure),
 *     {@code netkit_gateway_dropped_total}, {@code netkit_gateway_clients_closed_total};
 * <li>tcp: {@code netkit_gateway_tcp_connections} (open now),
 *     {@code netkit_gateway_tcp_connections_accepted_total}, {@code _refused_total},
 *     {@code netkit_gateway_tcp_no_upstream_total}, {@code netkit_gateway_tcp_connect_failures_total},
 *     {@code _connect_retries_total}, {@code _idle_timeouts_total},
 *     {@code netkit_gateway_tcp_received_bytes_total} (from clients),
 *     {@code netkit_gateway_tcp_sent_bytes_total} (to clients),
 *     {@code netkit_gateway_tcp_ip_refusals_total{reason}} (closed at once by {@code ip_policy}; an
 *     anet listener's are its server's {@code netkit_server_ip_refusals_total}); per endpoint (tag {@code endpoint}):
 *     {@code netkit_gateway_tcp_upstream_connections_total}, {@code _upstream_sent_bytes_total},
 *     {@code _upstream_received_bytes_total};
 * <li>udp: {@code netkit_gateway_udp_sessions} (open now), {@code netkit_gateway_udp_sessions_created_total},
 *     {@code _sessions_expired_total}, {@code _sessions_ended_total},
 *     {@code netkit_gateway_udp_received_packets_total} / {@code _received_bytes_total} (from clients),
 *     {@code netkit_gateway_udp_sent_packets_total} / {@code _sent_bytes_total} (to clients),
 *     {@code netkit_gateway_udp_upstream_sent_packets_total} / {@code _upstream_sent_bytes_total} (to endpoints),
 *     {@code netkit_gateway_udp_dropped_total{reason}}, {@code netkit_gateway_udp_ip_refusals_total{reason}}.
 * </ul>
 */
final class ListenerMeters implements AutoCloseable {
    private final MeterRegistry registry;
    private final Tags tags;
    private final Object anchor;
    private final List<Meter> meters = new ArrayList<>();
    private final Set<String> dynamic = new HashSet<>(); // failure kinds or endpoints registered
    private volatile ListenerStats last;

    ListenerMeters(MeterRegistry registry, String listener, Object anchor) {
        this.registry = registry;
        this.tags = Tags.of("listener", listener);
        this.anchor = anchor;
    }

    /** Stores the snapshot the meters read until the next update, registering meters it needs. */
    void update(ListenerStats stats) {
        boolean first = last == null;
        last = stats;
        switch (stats) {
            case AnetListenerStats a -> {
                if (first) {
                    registerAnet();
                }
                a.failures().keySet().forEach(this::failureKind);
                a.routeLimits().forEach(this::routeLimit);
                if (a.fleet() != null) {
                    listenerFleet();
                }
            }
            case TcpListenerStats t -> {
                if (first) {
                    registerTcp();
                }
                t.endpoints().keySet().forEach(this::endpoint);
            }
            case UdpListenerStats u -> {
                if (first) {
                    registerUdp();
                }
            }
        }
    }

    private void registerAnet() {
        anet("netkit.gateway.requests", "Requests received from clients", AnetListenerStats::requests);
        anet("netkit.gateway.answered", "Requests answered with their upstream's response", AnetListenerStats::answered);
        anet("netkit.gateway.dropped", "Failed requests left unanswered (on_failure: drop)", AnetListenerStats::dropped);
        anet("netkit.gateway.clients.closed", "Failed requests answered by closing the client's connection (on_failure: close)",
                AnetListenerStats::closed);
    }

    private void anet(String name, String description, ToDoubleFunction<AnetListenerStats> field) {
        counter(name, description, Tags.empty(), () -> field.applyAsDouble((AnetListenerStats) last));
    }

    private void failureKind(String kind) {
        if (dynamic.add(kind)) {
            counter("netkit.gateway.failures", "Requests that could not be served, by kind", Tags.of("kind", kind),
                    () -> ((AnetListenerStats) last).failures().getOrDefault(kind, 0L));
        }
    }

    /** Per route with a rate limit: refusals, and for a fleet limit its Redis round trips and fallback admissions. */
    private void routeLimit(String route, Map<String, Object> stats) {
        if (!dynamic.add("route:" + route)) {
            return;
        }
        Tags t = Tags.of("route", route);
        counter("netkit.gateway.route.rate.limited", "Requests refused by their route's rate_limit", t,
                () -> routeValue(route, "rate_limited"));
        if (stats.containsKey("fleet_round_trips")) {
            counter("netkit.gateway.fleet.round.trips", "Script calls to the fleet limit's Redis (one per batch of tokens)", t,
                    () -> routeValue(route, "fleet_round_trips"));
            counter("netkit.gateway.fleet.fallback.admitted", "Requests admitted by the local share while Redis could not be used", t,
                    () -> routeValue(route, "fleet_fallback_admitted"));
            counter("netkit.gateway.fleet.fallback.episodes", "Times a fleet limit fell back to its local share", t,
                    () -> routeValue(route, "fleet_fallback_episodes"));
        }
    }

    /** The listener's own fleet limit ({@code rate_limits.fleet_requests}): admitted, refused, round trips, fallback. */
    private void listenerFleet() {
        if (!dynamic.add("listener-fleet")) {
            return;
        }
        counter("netkit.gateway.listener.fleet.admitted", "Frames admitted by the listener's fleet limit", Tags.empty(),
                () -> fleet().admitted());
        counter("netkit.gateway.listener.fleet.rate.limited", "Frames refused by the listener's fleet limit (their connection closes)",
                Tags.empty(), () -> fleet().rejected());
        counter("netkit.gateway.listener.fleet.round.trips", "Script calls to the listener fleet limit's Redis", Tags.empty(),
                () -> fleet().roundTrips());
        counter("netkit.gateway.listener.fleet.fallback.admitted", "Frames admitted by the local share while Redis could not be used",
                Tags.empty(), () -> fleet().fallbackAdmitted());
    }

    private dev.netkit.netty.fleet.FleetStats fleet() {
        dev.netkit.netty.fleet.FleetStats f = ((AnetListenerStats) last).fleet();
        return f != null ? f : new dev.netkit.netty.fleet.FleetStats(0, 0, 0, 0, 0, 0, Map.of(), false, 0);
    }

    private double routeValue(String route, String key) {
        Map<String, Object> s = ((AnetListenerStats) last).routeLimits().get(route);
        return s != null && s.get(key) instanceof Number n ? n.doubleValue() : 0;
    }

    private void registerTcp() {
        meters.add(Gauge.builder("netkit.gateway.tcp.connections", anchor, a -> ((TcpListenerStats) last).active())
                .description("Client connections open now").tags(tags).strongReference(true).register(registry));
        tcp("netkit.gateway.tcp.connections.accepted", "Client connections accepted", TcpListenerStats::accepted);
        tcp("netkit.gateway.tcp.connections.refused", "Client connections closed at once: max_connections reached", TcpListenerStats::refused);
        tcp("netkit.gateway.tcp.no.upstream", "Client connections closed: no endpoint could be connected", TcpListenerStats::noUpstream);
        tcp("netkit.gateway.tcp.connect.failures", "Upstream connect attempts that failed", TcpListenerStats::connectFailures);
        tcp("netkit.gateway.tcp.connect.retries", "Connects retried on another endpoint", TcpListenerStats::connectRetries);
        tcp("netkit.gateway.tcp.idle.timeouts", "Proxied connections closed for idleness", TcpListenerStats::idleTimeouts);
        tcp("netkit.gateway.tcp.received.bytes", "Bytes read from clients", TcpListenerStats::bytesFromClients);
        tcp("netkit.gateway.tcp.sent.bytes", "Bytes read from upstreams and sent to clients", TcpListenerStats::bytesToClients);
        for (IpRefusal r : IpRefusal.values()) {
            counter("netkit.gateway.tcp.ip.refusals", "Client connections closed at once by the ip_policy", Tags.of("reason", r.label()),
                    () -> ((TcpListenerStats) last).ipRefusals().getOrDefault(r.label(), 0L));
        }
    }

    private void registerUdp() {
        meters.add(Gauge.builder("netkit.gateway.udp.sessions", anchor, a -> ((UdpListenerStats) last).sessionsActive())
                .description("Sessions open now").tags(tags).strongReference(true).register(registry));
        udp("netkit.gateway.udp.sessions.created", "Sessions opened", UdpListenerStats::sessionsCreated);
        udp("netkit.gateway.udp.sessions.expired", "Sessions ended by idle_timeout", UdpListenerStats::sessionsExpired);
        udp("netkit.gateway.udp.sessions.ended", "Sessions ended otherwise (endpoint unreachable, removed or out of service)",
                UdpListenerStats::sessionsEnded);
        udp("netkit.gateway.udp.received.packets", "Datagrams received from clients", UdpListenerStats::packetsFromClients);
        udp("netkit.gateway.udp.received.bytes", "Bytes received from clients", UdpListenerStats::bytesFromClients);
        udp("netkit.gateway.udp.sent.packets", "Replies sent to clients", UdpListenerStats::packetsToClients);
        udp("netkit.gateway.udp.sent.bytes", "Bytes sent to clients", UdpListenerStats::bytesToClients);
        udp("netkit.gateway.udp.upstream.sent.packets", "Datagrams forwarded to endpoints", UdpListenerStats::packetsToUpstreams);
        udp("netkit.gateway.udp.upstream.sent.bytes", "Bytes forwarded to endpoints", UdpListenerStats::bytesToUpstreams);
        for (String reason : ((UdpListenerStats) last).drops().keySet()) {
            counter("netkit.gateway.udp.dropped", "Datagrams dropped, by reason", Tags.of("reason", reason),
                    () -> ((UdpListenerStats) last).dropped(reason));
        }
        for (IpRefusal r : IpRefusal.values()) {
            counter("netkit.gateway.udp.ip.refusals", "Datagrams of new clients refused by the ip_policy", Tags.of("reason", r.label()),
                    () -> ((UdpListenerStats) last).ipRefusals().getOrDefault(r.label(), 0L));
        }
    }

    private void udp(String name, String description, ToDoubleFunction<UdpListenerStats> field) {
        counter(name, description, Tags.empty(), () -> field.applyAsDouble((UdpListenerStats) last));
    }

    private void tcp(String name, String description, ToDoubleFunction<TcpListenerStats> field) {
        counter(name, description, Tags.empty(), () -> field.applyAsDouble((TcpListenerStats) last));
    }

    private void endpoint(String endpoint) {
        if (!dynamic.add(endpoint)) {
            return;
        }
        Tags e = Tags.of("endpoint", endpoint);
        ToDoubleFunction<ToDoubleFunction<TcpListenerStats.EndpointBytes>> read = field -> {
            TcpListenerStats.EndpointBytes b = ((TcpListenerStats) last).endpoints().get(endpoint);
            return b == null ? 0 : field.applyAsDouble(b);
        };
        counter("netkit.gateway.tcp.upstream.connections", "Connections proxied to the endpoint", e,
                () -> read.applyAsDouble(TcpListenerStats.EndpointBytes::connections));
        counter("netkit.gateway.tcp.upstream.sent.bytes", "Bytes sent to the endpoint", e,
                () -> read.applyAsDouble(TcpListenerStats.EndpointBytes::bytesToUpstream));
        counter("netkit.gateway.tcp.upstream.received.bytes", "Bytes read from the endpoint", e,
                () -> read.applyAsDouble(TcpListenerStats.EndpointBytes::bytesFromUpstream));
    }

    private void counter(String name, String description, Tags extra, DoubleSupplier value) {
        meters.add(FunctionCounter.builder(name, anchor, a -> value.getAsDouble())
                .description(description).tags(tags).tags(extra).register(registry));
    }

    /** Removes the meters. */
    @Override
    public void close() {
        meters.forEach(registry::remove);
        meters.clear();
        dynamic.clear();
    }
}
