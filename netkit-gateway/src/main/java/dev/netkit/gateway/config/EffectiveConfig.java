package dev.netkit.gateway.config;

import dev.netkit.core.balance.BalancerConfig;
import dev.netkit.core.balance.OutlierConfig;
import dev.netkit.core.backoff.ExponentialBackoff;
import dev.netkit.core.breaker.BreakerConfig;
import dev.netkit.core.error.ErrorKind;
import dev.netkit.core.health.HealthCheckConfig;
import dev.netkit.core.ip.Cidr;
import dev.netkit.core.ip.CidrSet;
import dev.netkit.core.ip.IpPolicy;
import dev.netkit.core.pool.PoolConfig;
import dev.netkit.core.retry.RetryPolicy;
import dev.netkit.netty.tls.TlsConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * The effective configuration: a {@link GatewayConfig} written back in the file's own keys with
 * every default filled in (what {@code netkit gateway --check} prints, and the admin
 * {@code /config} endpoint serves). Parsing the output gives an equal configuration. Anet listeners
 * are written with {@code routes} (a {@code cluster:} shorthand becomes one catch-all route),
 * route prefixes as hex, probes as text when they are printable ASCII (else hex), durations in their largest exact unit.
 */
public final class EffectiveConfig {
    private EffectiveConfig() {}

    /** The configuration as YAML 1.2 (block style). */
    public static String toYaml(GatewayConfig config) {
        DumpSettings settings = DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).setSchema(new CoreSchema())
                .setIndent(2).setIndicatorIndent(2).setIndentWithIndicator(true).setWidth(200).build();
        return new Dump(settings).dumpToString(toMap(config));
    }

    /**
     * The configuration as nested maps (keys in file order), lists, strings, numbers and booleans,
     * ready for any YAML or JSON writer.
     */
    public static Map<String, Object> toMap(GatewayConfig config) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("listeners", config.listeners().stream().map(EffectiveConfig::listener).toList());
        m.put("clusters", config.clusters().stream().map(EffectiveConfig::cluster).toList());
        m.put("admin", map("bind", config.admin().bind().toString()));
        m.put("io", map("threads", config.io().threads(), "transport", config.io().transportName()));
        return m;
    }

    private static Map<String, Object> listener(ListenerConfig l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", l.name());
        m.put("bind", l.bind().toString());
        m.put("protocol", l.protocol().configName());
        switch (l) {
            case AnetListenerConfig a -> anet(a, m);
            case TcpListenerConfig t -> tcp(t, m);
            case UdpListenerConfig u -> udp(u, m);
        }
        if (!(l instanceof UdpListenerConfig)) { // a udp listener has no tls key
            m.put("tls", tls(l.tls()));
        }
        return m;
    }

    /** {@code mode: none} alone when off; every field otherwise (file names absolute). */
    private static Map<String, Object> tls(TlsConfig t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", TlsParser.modeName(t.mode()));
        if (!t.enabled()) {
            return m;
        }
        putIfSet(m, "certificate_chain", t.certificateChain());
        putIfSet(m, "private_key", t.privateKey());
        putIfSet(m, "ca_certificates", t.caCertificates());
        putIfSet(m, "pinned_sha256", t.pinnedSha256());
        m.put("insecure", t.insecure());
        putIfSet(m, "server_name", t.serverName());
        if (!t.sniCertificates().isEmpty()) {
            m.put("sni_certificates", t.sniCertificates().stream().map(s -> map("server_name", s.serverName(),
                    "certificate_chain", s.certificateChain().toString(), "private_key", s.privateKey().toString())).toList());
        }
        m.put("min_version", TlsParser.versionName(t.minVersion()));
        m.put("handshake_timeout", d(t.handshakeTimeout()));
        m.put("max_handshakes", t.maxHandshakes());
        m.put("provider", TlsParser.providerName(t.provider()));
        m.put("reload_check_interval", d(t.reloadCheckInterval()));
        return m;
    }

    private static void putIfSet(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value.toString());
        }
    }

    private static void anet(AnetListenerConfig a, Map<String, Object> m) {
        m.put("routes", a.routes().stream().map(EffectiveConfig::route).toList());
        a.hashKey().ifPresent(h -> m.put("hash_key", map("offset", h.offset(), "length", h.length())));
        m.put("on_failure", a.onFailure().configName());
        ServerLimits s = a.limits();
        m.put("max_connections", s.maxConnections());
        m.put("max_in_flight", s.maxInFlight());
        m.put("max_concurrent_requests", s.maxConcurrentRequests());
        m.put("read_timeout", d(s.readTimeout()));
        m.put("idle_timeout", d(s.idleTimeout()));
        m.put("write_timeout", d(s.writeTimeout()));
        m.put("shutdown_timeout", d(s.shutdownTimeout()));
        m.put("tcp_keep_alive", s.tcpKeepAlive());
        m.put("tcp_no_delay", s.tcpNoDelay());
        m.put("ip_policy", ipPolicy(a.ipPolicy()));
        m.put("rate_limits", rateLimits(a.rateLimits()));
    }

    /** {@code mode} always; each bucket that is set. */
    private static Map<String, Object> rateLimits(dev.netkit.netty.server.ServerLimits l) {
        Map<String, Object> m = new LinkedHashMap<>();
        putBucket(m, "requests", l.requests());
        putBucket(m, "bytes", l.bytes());
        putBucket(m, "requests_per_connection", l.requestsPerConnection());
        putBucket(m, "bytes_per_connection", l.bytesPerConnection());
        putBucket(m, "requests_per_client", l.requestsPerClient());
        putBucket(m, "bytes_per_client", l.bytesPerClient());
        if (l.fleet() != null) {
            m.put("fleet_requests", routeLimit(new RouteRateLimit(l.fleetRequests().perSecond(), l.fleetRequests().burst(),
                    java.util.Optional.of(l.fleet()))));
        }
        m.put("mode", l.policing() ? "policing" : "shaping");
        return m;
    }

    private static void putBucket(Map<String, Object> m, String key, dev.netkit.core.limit.RateLimit limit) {
        if (limit != null) {
            m.put(key, map("per_second", limit.perSecond(), "burst", limit.burst()));
        }
    }

    private static Map<String, Object> routeLimit(RouteRateLimit r) {
        Map<String, Object> m = map("per_second", r.perSecond(), "burst", r.burst());
        r.fleet().ifPresent(f -> m.put("fleet", map("redis", new BindAddress(f.redisHost(), f.redisPort()).toString(),
                "key", f.key(), "members", f.members(), "timeout", d(f.timeout()), "batch", f.batch())));
        return m;
    }

    private static Map<String, Object> qos(dev.netkit.core.qos.QosPolicy q) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("classes", q.classes().stream().map(c -> map("name", c.name(), "weight", c.weight(), "capacity", c.capacity())).toList());
        m.put("default_class", q.defaultClass());
        if (q.strictClass() != null) {
            m.put("strict_class", q.strictClass());
        }
        m.put("starvation_bound", q.starvationBound());
        return m;
    }

    private static Map<String, Object> ipPolicy(IpPolicy p) {
        double rate = p.maxNewConnectionsPerSecondPerIp();
        return map("allow", cidrs(p.allow()), "deny", cidrs(p.deny()), "max_connections_per_ip", p.maxConnectionsPerIp(),
                "max_new_connections_per_second_per_ip", rate == Math.rint(rate) ? (Object) (long) rate : (Object) rate,
                "max_tracked_ips", p.maxTrackedIps());
    }

    /** A fresh list each time: the YAML writer would print a shared (empty) list as an anchor and an alias. */
    private static List<String> cidrs(CidrSet set) {
        return new ArrayList<>(set.cidrs().stream().map(Cidr::toString).toList());
    }

    private static Map<String, Object> route(RouteConfig r) {
        Map<String, Object> m = new LinkedHashMap<>();
        r.match().ifPresent(x -> m.put("match", map("offset", x.offset(), "prefix", x.prefix().hex())));
        m.put("cluster", r.cluster());
        m.put("idempotent", r.idempotent());
        r.rateLimit().ifPresent(l -> m.put("rate_limit", routeLimit(l)));
        r.qosClass().ifPresent(q -> m.put("qos_class", q));
        return m;
    }

    private static void tcp(TcpListenerConfig t, Map<String, Object> m) {
        m.put("cluster", t.cluster());
        m.put("lb", t.lb().configName());
        m.put("sticky_ttl", d(t.stickyTtl()));
        m.put("idle_timeout", d(t.idleTimeout()));
        m.put("connect_timeout", d(t.connectTimeout()));
        m.put("max_connections", t.maxConnections());
        m.put("proxy_protocol", t.proxyProtocol().configName());
        m.put("ip_policy", ipPolicy(t.ipPolicy()));
    }

    private static void udp(UdpListenerConfig u, Map<String, Object> m) {
        m.put("cluster", u.cluster());
        m.put("lb", u.lb().configName());
        m.put("idle_timeout", d(u.idleTimeout()));
        m.put("max_sessions", u.maxSessions());
        m.put("max_datagram_size", u.maxDatagramSize());
        if (u.health().enabled()) {
            Map<String, Object> h = new LinkedHashMap<>();
            putProbe(h, "probe", u.health().probe());
            putProbe(h, "expect", u.health().expect());
            m.put("health", h);
        }
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("receive", u.socketBuffers().receive());
        b.put("send", u.socketBuffers().send());
        b.put("upstream_receive", u.socketBuffers().upstreamReceive());
        b.put("upstream_send", u.socketBuffers().upstreamSend());
        m.put("socket_buffers", b);
        m.put("ip_policy", ipPolicy(u.ipPolicy()));
    }

    private static Map<String, Object> cluster(ClusterConfig c) {
        BalancerConfig b = c.balancer();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("endpoints", c.endpoints().stream().map(EndpointSpec::format).toList());
        m.put("lb", c.lb().configName());
        m.put("local_zone", b.localZone());
        m.put("zone_overload_threshold", b.zoneOverloadThreshold());
        m.put("panic_threshold", b.panicThreshold());
        m.put("max_pick_effort", b.maxPickEffort());
        m.put("slow_start", map("window", d(b.slowStartWindow()), "min_share", b.slowStartMinShare()));
        m.put("hashing", map("ring_min_size", b.pickerOptions().ringMinSize(), "ring_max_size", b.pickerOptions().ringMaxSize(),
                "maglev_table_size", b.pickerOptions().maglevTableSize()));
        m.put("health", health(c.health()));
        m.put("outlier", outlier(b.outlier()));
        m.put("breaker", breaker(b.breaker()));
        m.put("retry", retry(c.retry()));
        m.put("timeouts", map("request", d(c.requestTimeout()), "connect", d(c.connectTimeout()), "close", d(c.closeTimeout())));
        m.put("upstream", upstream(c));
        m.put("tls", tls(c.tls()));
        c.qos().ifPresent(q -> m.put("qos", qos(q)));
        return m;
    }

    private static Map<String, Object> health(HealthConfig h) {
        HealthCheckConfig c = h.check();
        Map<String, Object> m = map("enabled", h.enabled(), "interval", d(c.interval()), "timeout", d(c.timeout()),
                "jitter", c.jitter(), "healthy_threshold", c.healthyThreshold(), "unhealthy_threshold", c.unhealthyThreshold(),
                "initially_healthy", c.initiallyHealthy());
        putProbe(m, "probe", h.probe());
        return m;
    }

    private static Map<String, Object> outlier(OutlierConfig o) {
        if (o.equals(OutlierConfig.disabled())) {
            return map("enabled", false);
        }
        return map("enabled", true, "consecutive_failures", o.consecutiveFailures(), "failure_rate", o.failureRate(),
                "minimum_requests", o.minimumRequests(), "interval", d(o.interval()), "base_ejection", d(o.baseEjection()),
                "max_ejection", d(o.maxEjection()), "max_ejected_share", o.maxEjectedShare());
    }

    private static Map<String, Object> breaker(BreakerConfig b) {
        return map("enabled", b.enabled(), "failure_rate_threshold", b.failureRateThreshold(),
                "slow_call_rate_threshold", b.slowCallRateThreshold(), "slow_call_duration", d(b.slowCallDuration()),
                "window_type", ClusterParser.windowTypeName(b.windowType()), "window_size", b.windowSize(),
                "minimum_calls", b.minimumCalls(), "wait_in_open", d(b.waitInOpen()),
                "permitted_calls_in_half_open", b.permittedCallsInHalfOpen());
    }

    private static Map<String, Object> retry(RetryPolicy r) {
        return map("max_attempts", r.maxAttempts(), "backoff_base", d(r.backoffBase()), "backoff_max", d(r.backoffMax()),
                "retry_on", r.retryOn().stream().map(ErrorKind::label).toList(), "budget_ttl", d(r.budgetTtl()),
                "budget_min_retries_per_second", r.budgetMinRetriesPerSecond(),
                "budget_percent_can_retry", r.budgetPercentCanRetry());
    }

    private static Map<String, Object> upstream(ClusterConfig c) {
        PoolConfig p = c.pool();
        ExponentialBackoff b = p.dialBackoff();
        Map<String, Object> m = map("connections", p.maxTotal(), "min_connections", p.minIdle(),
                "max_in_flight", p.maxLeasesPerConnection(), "max_pending", p.maxPending(),
                "acquire_timeout", d(p.acquireTimeout()), "max_concurrent_dials", p.maxConcurrentDials(),
                "dial_backoff", map("initial", d(b.initial()), "multiplier", b.multiplier(), "jitter", b.jitter(), "max", d(b.max())),
                "redial_delay_max", d(p.redialDelayMax()), "idle_timeout", d(p.idleTimeout()), "max_lifetime", d(p.maxLifetime()),
                "lifetime_jitter", p.lifetimeJitter(), "validation_interval", d(p.validationInterval()),
                "validation_timeout", d(p.validationTimeout()), "validation_share", p.validationShare(),
                "maintenance_interval", d(p.maintenanceInterval()), "leak_detection_threshold", d(p.leakDetectionThreshold()),
                "tcp_no_delay", c.tcpNoDelay());
        putProbe(m, "validation_probe", c.validationProbe());
        return m;
    }

    /** A probe as {@code key: text} when it is printable ASCII, else as {@code key_hex}; nothing when empty. */
    private static void putProbe(Map<String, Object> m, String key, Payload probe) {
        byte[] bytes = probe.bytes();
        boolean printable = bytes.length > 0;
        for (byte b : bytes) {
            printable &= b >= 0x20 && b < 0x7f;
        }
        if (printable) {
            m.put(key, new String(bytes, java.nio.charset.StandardCharsets.US_ASCII));
        } else if (bytes.length > 0) {
            m.put(key + "_hex", probe.hex());
        }
    }

    private static String d(Duration d) {
        return Durations.format(d);
    }

    /** An ordered map of alternating keys and values. */
    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
