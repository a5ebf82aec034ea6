package dev.netkit.gateway.config;

import dev.netkit.core.ip.Cidr;
import dev.netkit.core.ip.CidrSet;
import dev.netkit.core.ip.IpPolicy;
import dev.netkit.netty.tls.TlsConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/** Reads one {@code listeners[i]} mapping, checking cluster references against the clusters read before. */
final class ListenerParser {
    static final List<String> COMMON_KEYS = List.of("name", "bind", "protocol");
    static final List<String> ANET_KEYS = List.of("routes", "cluster", "hash_key", "on_failure", "max_connections",
            "max_in_flight", "max_concurrent_requests", "read_timeout", "idle_timeout", "write_timeout", "shutdown_timeout",
            "tcp_keep_alive", "tcp_no_delay", "ip_policy", "tls", "rate_limits");
    static final List<String> TCP_KEYS = List.of("cluster", "lb", "sticky_ttl", "idle_timeout", "connect_timeout",
            "max_connections", "proxy_protocol", "ip_policy", "tls");
    static final List<String> UDP_KEYS = List.of("cluster", "lb", "idle_timeout", "max_sessions", "max_datagram_size",
            "health", "socket_buffers", "ip_policy");
    static final List<String> UDP_BUFFER_KEYS = List.of("receive", "send", "upstream_receive", "upstream_send");
    static final List<String> UDP_HEALTH_KEYS = List.of("probe", "probe_hex", "expect", "expect_hex");
    static final List<String> ALL_KEYS = Stream.of(COMMON_KEYS, ANET_KEYS, TCP_KEYS, UDP_KEYS).flatMap(List::stream).distinct().toList();
    static final List<String> ROUTE_KEYS = List.of("match", "cluster", "idempotent", "rate_limit", "qos_class");
    static final List<String> MATCH_KEYS = List.of("offset", "prefix", "text");
    static final List<String> HASH_KEY_KEYS = List.of("offset", "length");
    static final List<String> IP_POLICY_KEYS = List.of("allow", "deny", "max_connections_per_ip",
            "max_new_connections_per_second_per_ip", "max_tracked_ips");

    private final Map<String, ClusterConfig> clusters;

    private final java.nio.file.Path baseDir;

    ListenerParser(Map<String, ClusterConfig> clusters, java.nio.file.Path baseDir) {
        this.baseDir = baseDir;
        this.clusters = clusters;
    }

    ListenerConfig parse(Section l) {
        String name = l.requiredString("name", "the listener's name");
        if (name.isBlank()) {
            throw l.error("name", "is empty");
        }
        BindAddress bind = bind(l, "bind");
        Protocol protocol = l.named("protocol", null, List.of(Protocol.values()));
        if (protocol == null) {
            throw l.error("missing key \"protocol\" (anet, tcp or udp)");
        }
        List<String> own = switch (protocol) {
            case ANET -> ANET_KEYS;
            case TCP -> TCP_KEYS;
            case UDP -> UDP_KEYS;
        };
        for (String key : l.keys()) {
            if (!COMMON_KEYS.contains(key) && !own.contains(key)) {
                throw l.errorAtKey(key, "not allowed on " + (protocol == Protocol.ANET ? "an " : "a ") + protocol.configName() + " listener"
                        + (key.equals("routes") ? " (it balances whole " + (protocol == Protocol.UDP ? "sessions" : "connections")
                                + " over one cluster: use cluster)" : "")
                        + "; allowed: " + String.join(", ", Stream.concat(COMMON_KEYS.stream(), own.stream()).toList()));
            }
        }
        return switch (protocol) {
            case ANET -> anet(l, name, bind);
            case TCP -> tcp(l, name, bind);
            case UDP -> udp(l, name, bind);
        };
    }

    static BindAddress bind(Section s, String key) {
        String text = s.requiredString(key, "host:port to listen on");
        try {
            return BindAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw s.error(key, "bad address: " + e.getMessage());
        }
    }

    private AnetListenerConfig anet(Section l, String name, BindAddress bind) {
        List<RouteConfig> routes = routes(l);
        Optional<HashKeyConfig> hashKey = Optional.empty();
        if (l.has("hash_key")) {
            Section h = l.section("hash_key", HASH_KEY_KEYS);
            int offset = h.integer("offset", 0, 0, dev.netkit.netty.wire.AnetWireFormat.MAX_PAYLOAD - 1);
            int length = h.integer("length", HashKeyConfig.DEFAULT_LENGTH, 1, dev.netkit.netty.wire.AnetWireFormat.MAX_PAYLOAD);
            hashKey = Optional.of(h.build(() -> new HashKeyConfig(offset, length)));
        }
        ServerLimits d = ServerLimits.defaults();
        Duration tick = Duration.ofNanos(1);
        int maxConnections = l.integer("max_connections", d.maxConnections(), 1, Integer.MAX_VALUE);
        int maxInFlight = l.integer("max_in_flight", d.maxInFlight(), 1, ServerLimits.MAX_IN_FLIGHT_LIMIT);
        int maxConcurrent = l.integer("max_concurrent_requests", d.maxConcurrentRequests(), 1, Integer.MAX_VALUE);
        Duration read = l.duration("read_timeout", d.readTimeout(), tick);
        Duration idle = l.duration("idle_timeout", d.idleTimeout(), tick);
        Duration write = l.duration("write_timeout", d.writeTimeout(), tick);
        Duration shutdown = l.duration("shutdown_timeout", d.shutdownTimeout(), Duration.ZERO);
        boolean keepAlive = l.bool("tcp_keep_alive", d.tcpKeepAlive());
        boolean noDelay = l.bool("tcp_no_delay", d.tcpNoDelay());
        OnFailure onFailure = l.named("on_failure", OnFailure.DROP, List.of(OnFailure.values()));
        ServerLimits limits = l.build(() -> new ServerLimits(maxConnections, maxInFlight, maxConcurrent, read, idle, write,
                shutdown, keepAlive, noDelay));
        Optional<HashKeyConfig> key = hashKey;
        IpPolicy ipPolicy = ipPolicy(l.section("ip_policy", IP_POLICY_KEYS));
        TlsConfig tls = TlsParser.parse(l.section("tls", TlsParser.KEYS), baseDir, TlsParser.Role.SERVER);
        dev.netkit.netty.server.ServerLimits rateLimits = LimitsParser.rateLimits(l.section("rate_limits", LimitsParser.RATE_LIMITS_KEYS));
        return l.build(() -> new AnetListenerConfig(name, bind, routes, key, limits, onFailure, ipPolicy, tls, rateLimits));
    }

    private List<RouteConfig> routes(Section l) {
        if (l.has("routes") && l.has("cluster")) {
            throw l.errorAtKey("cluster", "give either routes or cluster (one catch-all route), not both");
        }
        if (l.has("cluster")) {
            return List.of(RouteConfig.catchAll(clusterRef(l, "cluster")));
        }
        if (!l.has("routes")) {
            throw l.error("an anet listener needs routes (or cluster: NAME for a single catch-all route)");
        }
        List<Node> nodes = l.list("routes");
        if (nodes.isEmpty()) {
            throw l.error("routes", "no routes (expected at least one: - { match: { offset: 0, prefix: \"A0\" }, cluster: NAME })");
        }
        List<RouteConfig> routes = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Section r = Section.open(l.file(), Section.child(l.path(), "routes") + "[" + i + "]", nodes.get(i), ROUTE_KEYS);
            if (!routes.isEmpty() && routes.get(routes.size() - 1).match().isEmpty()) {
                throw r.error("unreachable: the route before it has no match, so it takes every request"
                        + " (the catch-all route must be last)");
            }
            Optional<PayloadMatch> match = r.has("match") ? Optional.of(match(r.section("match", MATCH_KEYS))) : Optional.empty();
            String cluster = clusterRef(r, "cluster");
            Optional<RouteRateLimit> limit = r.has("rate_limit")
                    ? Optional.of(LimitsParser.routeLimit(r.section("rate_limit", LimitsParser.ROUTE_LIMIT_KEYS))) : Optional.empty();
            routes.add(new RouteConfig(match, cluster, r.bool("idempotent", false), limit, qosClass(r, clusters.get(cluster))));
        }
        return routes;
    }

    /** {@code qos_class}: a class of the route's cluster's {@code qos}. */
    private static Optional<String> qosClass(Section r, ClusterConfig cluster) {
        if (!r.has("qos_class")) {
            return Optional.empty();
        }
        String name = r.requiredString("qos_class", "a class of the cluster's qos");
        if (cluster.qos().isEmpty()) {
            throw r.error("qos_class", "cluster \"" + cluster.name() + "\" has no qos classes (give it qos: { classes: [...] })");
        }
        List<String> known = LimitsParser.classNames(cluster.qos().get().classes());
        if (!known.contains(name)) {
            throw r.error("qos_class", "unknown class \"" + name + "\" of cluster \"" + cluster.name() + "\""
                    + Suggestions.nearest(name, known).map(n -> "; did you mean \"" + n + "\"?").orElse("")
                    + " (defined: " + String.join(", ", known) + ")");
        }
        return Optional.of(name);
    }

    private static PayloadMatch match(Section m) {
        int offset = m.integer("offset", 0, 0, dev.netkit.netty.wire.AnetWireFormat.MAX_PAYLOAD - 1);
        Payload prefix = m.payload("text", "prefix");
        if (prefix.isEmpty()) {
            throw m.has("prefix") || m.has("text")
                    ? m.error(m.has("prefix") ? "prefix" : "text", "is empty (expected at least one byte)")
                    : m.error("a match needs prefix: \"HEX\" or text: \"...\"");
        }
        return m.build(() -> new PayloadMatch(offset, prefix));
    }

    private TcpListenerConfig tcp(Section l, String name, BindAddress bind) {
        if (!l.has("cluster")) {
            throw l.error("a tcp listener needs cluster: NAME");
        }
        ClusterConfig cluster = clusters.get(clusterRef(l, "cluster"));
        Duration tick = Duration.ofNanos(1);
        LbPolicy lb = l.named("lb", cluster.lb(), LbPolicy.listenerPolicies());
        Duration stickyTtl = l.duration("sticky_ttl", Duration.ofMinutes(TcpListenerConfig.DEFAULT_STICKY_TTL_MINUTES), tick);
        Duration idle = l.duration("idle_timeout", ServerLimits.defaults().idleTimeout(), tick);
        Duration connect = l.duration("connect_timeout", cluster.connectTimeout(), tick);
        int maxConnections = l.integer("max_connections", ServerLimits.defaults().maxConnections(), 1, Integer.MAX_VALUE);
        ProxyProtocol proxy = l.named("proxy_protocol", ProxyProtocol.NONE, List.of(ProxyProtocol.values()));
        IpPolicy ipPolicy = ipPolicy(l.section("ip_policy", IP_POLICY_KEYS));
        TlsConfig tls = TlsParser.parse(l.section("tls", TlsParser.KEYS), baseDir, TlsParser.Role.SERVER);
        return l.build(() -> new TcpListenerConfig(name, bind, cluster.name(), lb, stickyTtl, idle, connect, maxConnections, proxy,
                ipPolicy, tls));
    }

    private UdpListenerConfig udp(Section l, String name, BindAddress bind) {
        if (!l.has("cluster")) {
            throw l.error("a udp listener needs cluster: NAME");
        }
        ClusterConfig cluster = clusters.get(clusterRef(l, "cluster"));
        LbPolicy lb = l.named("lb", LbPolicy.SOURCE_IP_HASH, LbPolicy.udpListenerPolicies());
        Duration idle = l.duration("idle_timeout", Duration.ofSeconds(UdpListenerConfig.DEFAULT_IDLE_TIMEOUT_SECONDS), Duration.ofMillis(1));
        int maxSessions = l.integer("max_sessions", UdpListenerConfig.DEFAULT_MAX_SESSIONS, 1, Integer.MAX_VALUE);
        int maxDatagram = l.integer("max_datagram_size", UdpListenerConfig.DEFAULT_MAX_DATAGRAM_SIZE, 1,
                UdpListenerConfig.MAX_DATAGRAM_SIZE_LIMIT);
        UdpHealthConfig health = UdpHealthConfig.NONE;
        if (l.has("health")) {
            Section h = l.section("health", UDP_HEALTH_KEYS);
            Payload probe = h.payload("probe", "probe_hex");
            Payload expect = h.payload("expect", "expect_hex");
            if (probe.isEmpty()) {
                throw h.has("probe") || h.has("probe_hex") ? h.error(h.has("probe") ? "probe" : "probe_hex", "is empty (expected at least one byte)")
                        : h.error("a udp health check needs probe: \"...\" or probe_hex: \"...\" (leave health out for no active checks)");
            }
            health = h.build(() -> new UdpHealthConfig(probe, expect));
        }
        UdpHealthConfig checked = health;
        UdpSocketBuffers buffers = socketBuffers(l.section("socket_buffers", UDP_BUFFER_KEYS));
        IpPolicy ipPolicy = ipPolicy(l.section("ip_policy", IP_POLICY_KEYS));
        return l.build(() -> new UdpListenerConfig(name, bind, cluster.name(), lb, idle, maxSessions, maxDatagram, checked, buffers,
                ipPolicy));
    }

    /** {@code socket_buffers: { receive: BYTES, send: BYTES, upstream_receive: BYTES, upstream_send: BYTES }}; 0 = the kernel's default. */
    private static UdpSocketBuffers socketBuffers(Section b) {
        UdpSocketBuffers d = UdpSocketBuffers.DEFAULTS;
        int receive = b.integer("receive", d.receive(), 0, Integer.MAX_VALUE);
        int send = b.integer("send", d.send(), 0, Integer.MAX_VALUE);
        int upstreamReceive = b.integer("upstream_receive", d.upstreamReceive(), 0, Integer.MAX_VALUE);
        int upstreamSend = b.integer("upstream_send", d.upstreamSend(), 0, Integer.MAX_VALUE);
        return b.build(() -> new UdpSocketBuffers(receive, send, upstreamReceive, upstreamSend));
    }

    /** {@code ip_policy: { allow: [CIDR...], deny: [...], max_connections_per_ip: N, ... }}; absent = allow all. */
    static IpPolicy ipPolicy(Section p) {
        IpPolicy d = IpPolicy.allowAll();
        CidrSet allow = cidrs(p, "allow");
        CidrSet deny = cidrs(p, "deny");
        int perIp = p.integer("max_connections_per_ip", d.maxConnectionsPerIp(), 0, Integer.MAX_VALUE);
        double rate = p.number("max_new_connections_per_second_per_ip", d.maxNewConnectionsPerSecondPerIp(), 0, 1e9);
        int tracked = p.integer("max_tracked_ips", d.maxTrackedIps(), 1, Integer.MAX_VALUE);
        return p.build(() -> new IpPolicy(allow, deny, perIp, rate, tracked));
    }

    /** A list of CIDRs, each checked at its own position. */
    private static CidrSet cidrs(Section p, String key) {
        List<Node> nodes = p.list(key);
        List<Cidr> cidrs = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            String path = Section.child(p.path(), key) + "[" + i + "]";
            if (!(n instanceof ScalarNode s) || Section.isNull(n)) {
                throw Section.error(p.file(), n, path, "expected a CIDR such as 10.0.0.0/8 or 2001:db8::/32, got " + Section.describe(n));
            }
            try {
                cidrs.add(Cidr.parse(s.getValue()));
            } catch (IllegalArgumentException e) {
                throw Section.error(p.file(), n, path, e.getMessage());
            }
        }
        return CidrSet.of(cidrs);
    }

    private String clusterRef(Section s, String key) {
        String name = s.requiredString(key, "the name of a cluster");
        if (!clusters.containsKey(name)) {
            throw s.error(key, "unknown cluster \"" + name + "\""
                    + Suggestions.nearest(name, clusters.keySet()).map(n -> "; did you mean \"" + n + "\"?").orElse("")
                    + " (defined: " + String.join(", ", clusters.keySet()) + ")");
        }
        return name;
    }
}
