package dev.netkit.gateway.internal.anet;

import dev.netkit.core.balance.HashKeys;
import dev.netkit.gateway.config.AnetListenerConfig;
import dev.netkit.gateway.config.HashKeyConfig;
import dev.netkit.gateway.config.RouteConfig;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.RequestOptions;
import dev.netkit.netty.transport.IoGroup;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * An anet listener's routes bound to the brokers of their clusters: what one request needs to
 * find its upstream, without allocation. Immutable; a reload publishes a new instance with one
 * volatile write, so a request sees either the old routes and clusters or the new ones, never a mix.
 */
final class CompiledRoutes {
    /**
     * One route: a payload prefix at an offset (none: matches everything), its cluster, and the
     * options its requests are sent with (made once here, so a request without a hash key
     * allocates none).
     */
    record Route(int offset, byte[] prefix, String cluster, Broker broker, RequestOptions options, RouteLimiter limiter) {
        boolean matches(ByteBuf payload) {
            if (prefix == null) {
                return true;
            }
            int start = payload.readerIndex() + offset;
            if (offset + prefix.length > payload.readableBytes()) {
                return false;
            }
            for (int i = 0; i < prefix.length; i++) {
                if (payload.getByte(start + i) != prefix[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    private final Route[] routes;
    private final int keyOffset;
    private final int keyLength; // 0: no hash key

    private CompiledRoutes(Route[] routes, int keyOffset, int keyLength) {
        this.routes = routes;
        this.keyOffset = keyOffset;
        this.keyLength = keyLength;
    }

    /**
     * Binds {@code config}'s routes to brokers; {@code brokers} must know every cluster they name.
     * A route whose {@code rate_limit} equals the one at the same position of {@code previous}
     * keeps that limiter (its tokens, counters and Redis connection); the others get new ones.
     */
    static CompiledRoutes of(AnetListenerConfig config, Function<String, Broker> brokers, CompiledRoutes previous, IoGroup io) {
        List<RouteConfig> list = config.routes();
        Route[] routes = new Route[list.size()];
        for (int i = 0; i < routes.length; i++) {
            RouteConfig r = list.get(i);
            int at = i;
            Broker broker = brokers.apply(r.cluster());
            RequestOptions base = r.idempotent() ? RequestOptions.defaults().asIdempotent() : RequestOptions.defaults();
            RequestOptions options = r.qosClass().map(base::withQosClass).orElse(base);
            RouteLimiter limiter = r.rateLimit().map(l -> previous != null && at < previous.routes.length
                    && previous.routes[at].limiter() != null && previous.routes[at].limiter().config().equals(l)
                    ? previous.routes[at].limiter() : RouteLimiter.of(l, config.name() + " " + label(at, r), io)).orElse(null);
            routes[i] = r.match()
                    .map(m -> new Route(m.offset(), m.prefix().bytes(), r.cluster(), broker, options, limiter))
                    .orElseGet(() -> new Route(0, null, r.cluster(), broker, options, limiter));
        }
        HashKeyConfig key = config.hashKey().orElse(null);
        return new CompiledRoutes(routes, key == null ? 0 : key.offset(), key == null ? 0 : key.length());
    }

    /** How stats name route {@code i}: {@code routes[i] -> cluster}. */
    static String label(int i, RouteConfig r) {
        return "routes[" + i + "] -> " + r.cluster();
    }

    /** Closes the limiters of {@code previous} that these routes do not use any more. */
    void closeUnusedOf(CompiledRoutes previous) {
        java.util.Set<RouteLimiter> kept = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Route r : routes) {
            kept.add(r.limiter());
        }
        for (Route r : previous.routes) {
            if (r.limiter() != null && !kept.contains(r.limiter())) {
                r.limiter().close();
            }
        }
    }

    /** Closes every limiter (the listener is closing). */
    void closeLimiters() {
        for (Route r : routes) {
            if (r.limiter() != null) {
                r.limiter().close();
            }
        }
    }

    /** Per route with a {@code rate_limit}: requests refused, and the fleet's counters when it has one. */
    Map<String, Map<String, Object>> limitStats() {
        Map<String, Map<String, Object>> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < routes.length; i++) {
            RouteLimiter l = routes[i].limiter();
            if (l != null) {
                Map<String, Object> s = new java.util.LinkedHashMap<>();
                s.put("rate_limited", l.rejected.sum());
                dev.netkit.netty.fleet.FleetStats f = l.fleetStats();
                if (f != null) {
                    s.putAll(FleetStatsMap.of(f));
                }
                m.put("routes[" + i + "] -> " + routes[i].cluster(), s); // as label(i, route)
            }
        }
        return m;
    }

    /** The first route {@code payload} matches, or null. */
    Route match(ByteBuf payload) {
        for (Route r : routes) {
            if (r.matches(payload)) {
                return r;
            }
        }
        return null;
    }

    boolean hashes() {
        return keyLength > 0;
    }

    /** The request's consistent-hash key: XXH64 of the key bytes present (a short payload hashes what it has). */
    long key(byte[] payload) {
        int from = Math.min(keyOffset, payload.length);
        int to = Math.min(keyOffset + keyLength, payload.length);
        return HashKeys.of(payload, from, to - from);
    }

    /** The clusters these routes send to, by name. */
    Map<String, Broker> clusters() {
        Map<String, Broker> m = new java.util.LinkedHashMap<>();
        for (Route r : routes) {
            m.put(r.cluster(), r.broker());
        }
        return m;
    }
}
