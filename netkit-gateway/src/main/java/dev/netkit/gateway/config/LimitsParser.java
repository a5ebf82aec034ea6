package dev.netkit.gateway.config;

import dev.netkit.core.limit.TokenBucket;
import dev.netkit.core.qos.QosClass;
import dev.netkit.core.qos.QosPolicy;
import dev.netkit.netty.fleet.FleetConfig;
import dev.netkit.netty.server.ServerLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.Node;

/** Reads the rate-limit and class-of-service keys: a listener's {@code rate_limits}, a route's {@code rate_limit}, a cluster's {@code qos}. */
final class LimitsParser {
    static final List<String> RATE_LIMITS_KEYS = List.of("requests", "bytes", "requests_per_connection", "bytes_per_connection",
            "requests_per_client", "bytes_per_client", "fleet_requests", "mode");
    static final List<String> BUCKET_KEYS = List.of("per_second", "burst");
    static final List<String> ROUTE_LIMIT_KEYS = List.of("per_second", "burst", "fleet");
    static final List<String> FLEET_KEYS = List.of("redis", "key", "members", "timeout", "batch");
    static final List<String> QOS_KEYS = List.of("classes", "default_class", "strict_class", "starvation_bound");
    static final List<String> QOS_CLASS_KEYS = List.of("name", "weight", "capacity");
    /** Default {@code qos.starvation_bound}. */
    static final int DEFAULT_STARVATION_BOUND = 8;
    /** Largest class weight. */
    static final int MAX_WEIGHT = 1_000_000;

    private LimitsParser() {}

    /**
     * {@code rate_limits: { requests: {per_second, burst}, bytes, requests_per_connection, bytes_per_connection,
     * requests_per_client, bytes_per_client, fleet_requests: {per_second, burst, fleet: {...}}, mode }}.
     */
    static ServerLimits rateLimits(Section r) {
        boolean policing = r.choice("mode", false, List.of(false, true), p -> p ? "policing" : "shaping");
        ServerLimits limits = ServerLimits.none();
        long[] b;
        if ((b = bucket(r, "requests")) != null) {
            limits = build(r, "requests", limits, b, 0);
        }
        if ((b = bucket(r, "bytes")) != null) {
            limits = build(r, "bytes", limits, b, 1);
        }
        if ((b = bucket(r, "requests_per_connection")) != null) {
            limits = build(r, "requests_per_connection", limits, b, 2);
        }
        if ((b = bucket(r, "bytes_per_connection")) != null) {
            limits = build(r, "bytes_per_connection", limits, b, 3);
        }
        if ((b = bucket(r, "requests_per_client")) != null) {
            limits = build(r, "requests_per_client", limits, b, 4);
        }
        if ((b = bucket(r, "bytes_per_client")) != null) {
            limits = build(r, "bytes_per_client", limits, b, 5);
        }
        if (r.has("fleet_requests")) {
            Section f = r.section("fleet_requests", ROUTE_LIMIT_KEYS);
            RouteRateLimit fleet = routeLimit(f);
            if (fleet.fleet().isEmpty()) {
                throw f.error("missing key \"fleet\" (the Redis holding the listener's shared limit; for a local limit use \"requests\")");
            }
            if (!policing) {
                throw f.error("a fleet limit polices, and the listener shapes (say mode: policing)");
            }
            ServerLimits local = limits;
            limits = f.build(() -> local.withFleet(fleet.perSecond(), fleet.burst(), fleet.fleet().get()));
        }
        ServerLimits all = limits;
        return r.build(() -> all.withPolicing(policing)); // a policing bytes burst must hold the largest frame
    }

    private static ServerLimits build(Section r, String key, ServerLimits l, long[] b, int which) {
        Section s = r.section(key, BUCKET_KEYS);
        return s.build(() -> switch (which) {
            case 0 -> l.withRequests(b[0], b[1]);
            case 1 -> l.withBytes(b[0], b[1]);
            case 2 -> l.withRequestsPerConnection(b[0], b[1]);
            case 3 -> l.withBytesPerConnection(b[0], b[1]);
            case 4 -> l.withRequestsPerClient(b[0], b[1]);
            default -> l.withBytesPerClient(b[0], b[1]);
        });
    }

    /** {@code {per_second, burst}} under {@code key}: {rate, burst}, or null when absent. */
    private static long[] bucket(Section parent, String key) {
        if (!parent.has(key)) {
            return null;
        }
        Section s = parent.section(key, BUCKET_KEYS);
        return rateAndBurst(s);
    }

    private static long[] rateAndBurst(Section s) {
        if (!s.has("per_second")) {
            throw s.error("missing key \"per_second\" (1.." + TokenBucket.MAX_RATE + ")");
        }
        long rate = s.longInteger("per_second", 0, 1, TokenBucket.MAX_RATE);
        long burst = s.longInteger("burst", Math.min(rate, TokenBucket.MAX_BURST), 1, TokenBucket.MAX_BURST);
        return new long[] {rate, burst};
    }

    /** A route's {@code rate_limit: { per_second, burst, fleet }}. */
    static RouteRateLimit routeLimit(Section r) {
        long[] b = rateAndBurst(r);
        Optional<FleetConfig> fleet = r.has("fleet") ? Optional.of(fleet(r.section("fleet", FLEET_KEYS))) : Optional.empty();
        return r.build(() -> new RouteRateLimit(b[0], b[1], fleet));
    }

    /** {@code fleet: { redis: "host:port", key, members, timeout, batch }}. */
    static FleetConfig fleet(Section f) {
        String redis = f.requiredString("redis", "host:port of the Redis holding the shared limit");
        BindAddress address;
        try {
            address = BindAddress.parse(redis);
        } catch (IllegalArgumentException e) {
            throw f.error("redis", "bad address: " + e.getMessage());
        }
        if (address.port() == 0) {
            throw f.error("redis", "port 0 is out of range; allowed: 1..65535");
        }
        String key = f.requiredString("key", "the Redis key every member of the fleet names");
        if (!f.has("members")) {
            throw f.error("missing key \"members\" (how many gateways share the limit, 1.." + FleetConfig.MAX_MEMBERS
                    + ": each admits 1/members of it while Redis cannot be used)");
        }
        int members = f.integer("members", 1, 1, FleetConfig.MAX_MEMBERS);
        Duration timeout = f.duration("timeout", FleetConfig.DEFAULT_TIMEOUT, Duration.ofMillis(1));
        if (timeout.compareTo(Duration.ofSeconds(10)) > 0) {
            throw f.error("timeout", Durations.format(timeout) + " is out of range; allowed: 1ms..10s");
        }
        long batch = f.longInteger("batch", 0, 0, FleetConfig.MAX_BATCH);
        return f.build(() -> new FleetConfig(address.host(), address.port(), key, members, timeout, batch));
    }

    /** A cluster's {@code qos: { classes: [{name, weight, capacity}], default_class, strict_class, starvation_bound }}. */
    static QosPolicy qos(Section q, int defaultCapacity) {
        List<Node> nodes = q.list("classes");
        if (nodes.isEmpty()) {
            throw q.error("classes", "no classes (expected at least one: - { name: gold, weight: 6 })");
        }
        List<QosClass> classes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            Section c = Section.open(q.file(), Section.child(q.path(), "classes") + "[" + i + "]", nodes.get(i), QOS_CLASS_KEYS);
            String name = c.requiredString("name", "how routes name the class");
            if (name.isBlank()) {
                throw c.error("name", "is empty");
            }
            if (!names.add(name)) {
                throw c.error("name", "class \"" + name + "\" is defined twice");
            }
            if (c.has("weight") && c.integer("weight", 1, Integer.MIN_VALUE, Integer.MAX_VALUE) < 1) {
                throw c.error("weight", c.integer("weight", 1, Integer.MIN_VALUE, Integer.MAX_VALUE)
                        + " is out of range; allowed: 1.." + MAX_WEIGHT + " (a class with weight 0 would never be served)");
            }
            int weight = c.integer("weight", 1, 1, MAX_WEIGHT);
            int capacity = c.integer("capacity", defaultCapacity, 1, Integer.MAX_VALUE);
            classes.add(c.build(() -> new QosClass(name, weight, capacity)));
        }
        String def = q.string("default_class", classes.get(0).name());
        if (!names.contains(def)) {
            throw q.error("default_class", "unknown class \"" + def + "\" (defined: " + String.join(", ", classNames(classes)) + ")");
        }
        String strict = q.string("strict_class", null);
        if (strict != null && !names.contains(strict)) {
            throw q.error("strict_class", "unknown class \"" + strict + "\" (defined: " + String.join(", ", classNames(classes)) + ")");
        }
        int bound = q.integer("starvation_bound", DEFAULT_STARVATION_BOUND, 1, Integer.MAX_VALUE);
        return q.build(() -> new QosPolicy(classes, def, strict, bound));
    }

    static List<String> classNames(List<QosClass> classes) {
        return classes.stream().map(QosClass::name).toList();
    }
}
