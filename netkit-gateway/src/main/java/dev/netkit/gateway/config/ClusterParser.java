package dev.netkit.gateway.config;

import dev.netkit.core.balance.BalancerConfig;
import dev.netkit.core.balance.OutlierConfig;
import dev.netkit.core.balance.PickerOptions;
import dev.netkit.core.balance.WeightedEndpoint;
import dev.netkit.core.backoff.ExponentialBackoff;
import dev.netkit.core.breaker.BreakerConfig;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.ErrorKind;
import dev.netkit.core.health.HealthCheckConfig;
import dev.netkit.core.pool.PoolConfig;
import dev.netkit.core.retry.RetryPolicy;
import dev.netkit.netty.client.BrokerConfig;
import dev.netkit.netty.tls.TlsConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.Node;

/** Reads one {@code clusters[i]} mapping; every key left out takes the library's default. */
final class ClusterParser {
    static final List<String> KEYS = List.of("name", "endpoints", "lb", "local_zone", "zone_overload_threshold",
            "panic_threshold", "max_pick_effort", "slow_start", "hashing", "health", "outlier", "breaker", "retry",
            "timeouts", "upstream", "tls", "qos");
    static final List<String> SLOW_START_KEYS = List.of("window", "min_share");
    static final List<String> HASHING_KEYS = List.of("ring_min_size", "ring_max_size", "maglev_table_size");
    static final List<String> HEALTH_KEYS = List.of("enabled", "interval", "timeout", "jitter", "healthy_threshold",
            "unhealthy_threshold", "initially_healthy", "probe", "probe_hex");
    static final List<String> OUTLIER_KEYS = List.of("enabled", "consecutive_failures", "failure_rate", "minimum_requests",
            "interval", "base_ejection", "max_ejection", "max_ejected_share");
    static final List<String> BREAKER_KEYS = List.of("enabled", "failure_rate_threshold", "slow_call_rate_threshold",
            "slow_call_duration", "window_type", "window_size", "minimum_calls", "wait_in_open",
            "permitted_calls_in_half_open");
    static final List<String> RETRY_KEYS = List.of("max_attempts", "backoff_base", "backoff_max", "retry_on", "budget_ttl",
            "budget_min_retries_per_second", "budget_percent_can_retry");
    static final List<String> TIMEOUT_KEYS = List.of("request", "connect", "close");
    static final List<String> UPSTREAM_KEYS = List.of("connections", "min_connections", "max_in_flight", "max_pending",
            "acquire_timeout", "max_concurrent_dials", "dial_backoff", "redial_delay_max", "idle_timeout", "max_lifetime",
            "lifetime_jitter", "validation_probe", "validation_probe_hex", "validation_interval", "validation_timeout",
            "validation_share", "maintenance_interval", "leak_detection_threshold", "tcp_no_delay");
    static final List<String> BACKOFF_KEYS = List.of("initial", "multiplier", "jitter", "max");

    /** The broker's own defaults for what it keeps outside its pool (request and close timeouts, TCP_NODELAY). */
    static final BrokerConfig BROKER_DEFAULTS = BrokerConfig.builder().endpoints("defaults.invalid:1").build();

    /** Window types by their names in the file. */
    static final List<BreakerConfig.WindowType> WINDOW_TYPES = List.of(BreakerConfig.WindowType.TIME_BASED,
            BreakerConfig.WindowType.COUNT_BASED);

    private static final int MAX = Integer.MAX_VALUE;

    private ClusterParser() {}

    static String windowTypeName(BreakerConfig.WindowType t) {
        return t == BreakerConfig.WindowType.TIME_BASED ? "time" : "count";
    }

    static ClusterConfig parse(Section c, java.nio.file.Path baseDir) {
        String name = c.requiredString("name", "the cluster's name, which routes and listeners refer to");
        if (name.isBlank()) {
            throw c.error("name", "is empty");
        }
        List<WeightedEndpoint> endpoints = endpoints(c);
        BalancerConfig balancer = balancer(c);
        HealthConfig health = health(c.section("health", HEALTH_KEYS));
        RetryPolicy retry = retry(c.section("retry", RETRY_KEYS));
        Section timeouts = c.section("timeouts", TIMEOUT_KEYS);
        Duration request = timeouts.duration("request", BROKER_DEFAULTS.requestTimeout(), Duration.ofNanos(1));
        Duration close = timeouts.duration("close", BROKER_DEFAULTS.closeTimeout(), Duration.ZERO);
        Section upstream = c.section("upstream", UPSTREAM_KEYS);
        PoolConfig pool = pool(upstream, timeouts);
        Payload validation = upstream.payload("validation_probe", "validation_probe_hex");
        boolean noDelay = upstream.bool("tcp_no_delay", BROKER_DEFAULTS.tcpNoDelay());
        TlsConfig tls = TlsParser.parse(c.section("tls", TlsParser.KEYS), baseDir, TlsParser.Role.CLIENT);
        java.util.Optional<dev.netkit.core.qos.QosPolicy> qos = c.has("qos")
                ? java.util.Optional.of(LimitsParser.qos(c.section("qos", LimitsParser.QOS_KEYS), Math.max(1, pool.maxPending())))
                : java.util.Optional.empty();
        ClusterConfig cluster = c.build(() -> new ClusterConfig(name, endpoints, balancer, health, retry, request, close, pool,
                validation, noDelay, tls, qos));
        c.build(cluster::brokerConfig); // whatever the broker would refuse is refused here, at load time
        return cluster;
    }

    private static List<WeightedEndpoint> endpoints(Section c) {
        if (!c.has("endpoints")) {
            throw c.error("missing key \"endpoints\" (expected a list of " + EndpointSpec.FORMS + ")");
        }
        List<Node> nodes = c.list("endpoints");
        if (nodes.isEmpty()) {
            throw c.error("endpoints", "empty cluster: no endpoints (expected at least one of " + EndpointSpec.FORMS + ")");
        }
        List<WeightedEndpoint> endpoints = new ArrayList<>();
        Map<Endpoint, Integer> seen = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            String path = Section.child(c.path(), "endpoints") + "[" + i + "]";
            if (!(n instanceof org.snakeyaml.engine.v2.nodes.ScalarNode s) || Section.isNull(n)) {
                throw Section.error(c.file(), n, path, "expected a string (" + EndpointSpec.FORMS + "), got " + Section.describe(n));
            }
            WeightedEndpoint e;
            try {
                e = EndpointSpec.parse(s.getValue());
            } catch (IllegalArgumentException ex) {
                throw Section.error(c.file(), n, path, "bad endpoint \"" + s.getValue() + "\": " + ex.getMessage()
                        + " (forms: " + EndpointSpec.FORMS + ")");
            }
            Integer first = seen.putIfAbsent(e.address(), i);
            if (first != null) {
                throw Section.error(c.file(), n, path, e.address() + " is listed twice (also endpoints[" + first + "])");
            }
            endpoints.add(e);
        }
        return endpoints;
    }

    private static BalancerConfig balancer(Section c) {
        BalancerConfig d = BalancerConfig.defaults();
        LbPolicy lb = c.named("lb", LbPolicy.of(d.strategy()), LbPolicy.clusterPolicies());
        String zone = c.string("local_zone", d.localZone());
        int overload = c.integer("zone_overload_threshold", d.zoneOverloadThreshold(), 0, MAX);
        double panic = c.number("panic_threshold", d.panicThreshold(), 0, 1);
        int effort = c.integer("max_pick_effort", d.maxPickEffort(), 1, 100);
        Section slow = c.section("slow_start", SLOW_START_KEYS);
        Duration window = slow.duration("window", d.slowStartWindow(), Duration.ZERO);
        double minShare = slow.number("min_share", d.slowStartMinShare(), Double.MIN_VALUE, 1);
        PickerOptions picker = picker(c.section("hashing", HASHING_KEYS), d.pickerOptions());
        OutlierConfig outlier = outlier(c.section("outlier", OUTLIER_KEYS), d.outlier());
        BreakerConfig breaker = breaker(c.section("breaker", BREAKER_KEYS));
        return c.build(() -> new BalancerConfig(lb.strategy().orElseThrow(), zone, overload, picker, panic, outlier, window,
                minShare, breaker, effort));
    }

    private static PickerOptions picker(Section h, PickerOptions d) {
        int ringMin = h.integer("ring_min_size", d.ringMinSize(), 1, PickerOptions.MAX_RING_SIZE);
        int ringMax = h.integer("ring_max_size", d.ringMaxSize(), 1, PickerOptions.MAX_RING_SIZE);
        int maglev = h.integer("maglev_table_size", d.maglevTableSize(), 2, PickerOptions.MAX_MAGLEV_TABLE_SIZE);
        return h.build(() -> new PickerOptions(ringMin, ringMax, maglev));
    }

    private static OutlierConfig outlier(Section o, OutlierConfig d) {
        if (!o.bool("enabled", true)) {
            o.keys().stream().filter(k -> !k.equals("enabled")).findFirst().ifPresent(k -> {
                throw o.errorAtKey(k, "outlier detection is off (enabled: false); remove this key or turn it on");
            });
            return OutlierConfig.disabled();
        }
        int consecutive = o.integer("consecutive_failures", d.consecutiveFailures(), 0, 1_000_000);
        double rate = o.number("failure_rate", d.failureRate(), Double.MIN_VALUE, 1);
        int minimum = o.integer("minimum_requests", d.minimumRequests(), 1, MAX);
        Duration interval = o.duration("interval", d.interval(), Duration.ofNanos(1));
        Duration base = o.duration("base_ejection", d.baseEjection(), Duration.ofNanos(1));
        Duration max = o.duration("max_ejection", d.maxEjection(), Duration.ofNanos(1));
        double share = o.number("max_ejected_share", d.maxEjectedShare(), 0, 1);
        return o.build(() -> new OutlierConfig(consecutive, rate, minimum, interval, base, max, share));
    }

    private static BreakerConfig breaker(Section b) {
        BreakerConfig d = BreakerConfig.defaults();
        boolean enabled = b.bool("enabled", d.enabled());
        double failures = b.number("failure_rate_threshold", d.failureRateThreshold(), Double.MIN_VALUE, 1);
        double slow = b.number("slow_call_rate_threshold", d.slowCallRateThreshold(), Double.MIN_VALUE, 1);
        Duration slowCall = b.duration("slow_call_duration", d.slowCallDuration(), Duration.ofNanos(1));
        BreakerConfig.WindowType type = b.choice("window_type", d.windowType(), WINDOW_TYPES, ClusterParser::windowTypeName);
        int windowSize = b.integer("window_size", d.windowSize(), 1,
                type == BreakerConfig.WindowType.TIME_BASED ? BreakerConfig.MAX_WINDOW_SECONDS : BreakerConfig.MAX_WINDOW_CALLS);
        int minimumCalls = b.integer("minimum_calls", d.minimumCalls(), 1, MAX);
        Duration wait = b.duration("wait_in_open", d.waitInOpen(), Duration.ofNanos(1));
        int trials = b.integer("permitted_calls_in_half_open", d.permittedCallsInHalfOpen(), 1, 10_000);
        return b.build(() -> new BreakerConfig(enabled, failures, slow, slowCall, type, windowSize, minimumCalls, wait, trials));
    }

    private static HealthConfig health(Section h) {
        HealthCheckConfig d = HealthCheckConfig.defaults();
        boolean enabled = h.bool("enabled", true);
        Duration interval = h.duration("interval", d.interval(), Duration.ofNanos(1));
        Duration timeout = h.duration("timeout", d.timeout(), Duration.ofNanos(1));
        double jitter = h.number("jitter", d.jitter(), 0, 1);
        int healthy = h.integer("healthy_threshold", d.healthyThreshold(), 1, 1_000);
        int unhealthy = h.integer("unhealthy_threshold", d.unhealthyThreshold(), 1, 1_000);
        boolean initially = h.bool("initially_healthy", d.initiallyHealthy());
        Payload probe = h.payload("probe", "probe_hex");
        HealthCheckConfig check = h.build(() -> new HealthCheckConfig(interval, jitter, timeout, healthy, unhealthy, initially));
        return new HealthConfig(enabled, check, probe);
    }

    private static RetryPolicy retry(Section r) {
        RetryPolicy d = RetryPolicy.defaults();
        int attempts = r.integer("max_attempts", d.maxAttempts(), 1, 100);
        Duration base = r.duration("backoff_base", d.backoffBase(), Duration.ofNanos(1));
        Duration max = r.duration("backoff_max", d.backoffMax(), Duration.ofNanos(1));
        Set<ErrorKind> retryOn = r.has("retry_on") ? retryOn(r) : d.retryOn();
        Duration ttl = r.duration("budget_ttl", d.budgetTtl(), Duration.ofNanos(1));
        int minRetries = r.integer("budget_min_retries_per_second", d.budgetMinRetriesPerSecond(), 0, 1_000_000);
        double percent = r.number("budget_percent_can_retry", d.budgetPercentCanRetry(), 0, 10);
        return r.build(() -> new RetryPolicy(attempts, base, max, retryOn, ttl, minRetries, percent));
    }

    private static Set<ErrorKind> retryOn(Section r) {
        Set<ErrorKind> kinds = EnumSet.noneOf(ErrorKind.class);
        List<ErrorKind> all = List.of(ErrorKind.values());
        List<Node> nodes = r.list("retry_on");
        for (int i = 0; i < nodes.size(); i++) {
            kinds.add(r.choice("retry_on[" + i + "]", nodes.get(i), all, ErrorKind::label));
        }
        return kinds;
    }

    private static PoolConfig pool(Section u, Section timeouts) {
        PoolConfig d = BrokerConfig.defaultPool();
        int connections = u.integer("connections", d.maxTotal(), 1, MAX);
        int min = u.integer("min_connections", d.minIdle(), 0, MAX);
        int inFlight = u.integer("max_in_flight", d.maxLeasesPerConnection(), 1, BrokerConfig.MAX_IN_FLIGHT_LIMIT);
        int pending = u.integer("max_pending", d.maxPending(), 0, MAX);
        Duration acquire = u.duration("acquire_timeout", d.acquireTimeout(), Duration.ofNanos(1));
        Duration connect = timeouts.duration("connect", d.dialTimeout(), Duration.ofNanos(1));
        int dials = u.integer("max_concurrent_dials", d.maxConcurrentDials(), 1, MAX);
        ExponentialBackoff backoff = backoff(u.section("dial_backoff", BACKOFF_KEYS), d.dialBackoff());
        Duration redial = u.duration("redial_delay_max", d.redialDelayMax(), Duration.ZERO);
        Duration idle = u.duration("idle_timeout", d.idleTimeout(), Duration.ZERO);
        Duration lifetime = u.duration("max_lifetime", d.maxLifetime(), Duration.ZERO);
        double lifetimeJitter = u.number("lifetime_jitter", d.lifetimeJitter(), 0, 0.5);
        Duration validationInterval = u.duration("validation_interval", d.validationInterval(), Duration.ofNanos(1));
        Duration validationTimeout = u.duration("validation_timeout", d.validationTimeout(), Duration.ofNanos(1));
        double validationShare = u.number("validation_share", d.validationShare(), Double.MIN_VALUE, 1);
        Duration maintenance = u.duration("maintenance_interval", d.maintenanceInterval(), Duration.ofNanos(1));
        Duration leak = u.duration("leak_detection_threshold", d.leakDetectionThreshold(), Duration.ZERO);
        if (min > connections) {
            throw u.error("min_connections", min + " is more than connections (" + connections + ")");
        }
        return u.build(() -> new PoolConfig(min, connections, inFlight, pending, acquire, connect, dials, backoff, redial, idle,
                lifetime, lifetimeJitter, validationInterval, validationTimeout, validationShare, maintenance, leak));
    }

    private static ExponentialBackoff backoff(Section b, ExponentialBackoff d) {
        Duration initial = b.duration("initial", d.initial(), Duration.ofNanos(1));
        double multiplier = b.number("multiplier", d.multiplier(), 1, 1_000);
        double jitter = b.number("jitter", d.jitter(), 0, 0.999);
        Duration max = b.duration("max", d.max(), Duration.ofNanos(1));
        return b.build(() -> new ExponentialBackoff(initial, multiplier, jitter, max));
    }
}
