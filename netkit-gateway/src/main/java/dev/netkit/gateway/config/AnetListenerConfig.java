package dev.netkit.gateway.config;

import dev.netkit.core.ip.IpPolicy;
import dev.netkit.netty.tls.TlsConfig;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A request-level listener ({@code protocol: anet}): each request is routed by its payload, then
 * balanced over the route's cluster on shared multiplexed upstream connections.
 *
 * @param name      unique in the file
 * @param bind      where it binds
 * @param routes    tried in order, the first match wins; at least one. In the file either
 *                  {@code routes:} or {@code cluster: NAME} (shorthand for one catch-all route)
 * @param hashKey   where each request's consistent-hash key is in the payload; empty = none (default)
 * @param limits    the client-side limits and timeouts
 * @param onFailure what a client sees when its request cannot be served; default {@link OnFailure#DROP}
 * @param ipPolicy  which clients it accepts and the per-IP limits ({@code ip_policy}); default
 *                  {@link IpPolicy#allowAll()}; changed by a reload without re-binding
 * @param tls       TLS toward clients ({@code tls:}); default {@link TlsConfig#none()}
 * @param rateLimits {@code rate_limits}: requests/s and bytes/s of the client side, listener-wide
 *                  and per connection, shaping (default) or policing: the listener's
 *                  {@code FrameServerConfig.limits}; default none
 */
public record AnetListenerConfig(
        String name,
        BindAddress bind,
        List<RouteConfig> routes,
        Optional<HashKeyConfig> hashKey,
        ServerLimits limits,
        OnFailure onFailure,
        IpPolicy ipPolicy,
        TlsConfig tls,
        dev.netkit.netty.server.ServerLimits rateLimits) implements ListenerConfig {

    /** Validates every field; copies the routes. */
    public AnetListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bind, "bind");
        routes = List.copyOf(routes);
        if (routes.isEmpty()) {
            throw new IllegalArgumentException("routes: none (expected at least one)");
        }
        Objects.requireNonNull(hashKey, "hashKey");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(onFailure, "onFailure");
        Objects.requireNonNull(ipPolicy, "ipPolicy");
        Objects.requireNonNull(tls, "tls").checkServer();
        Objects.requireNonNull(rateLimits, "rateLimits");
    }

    /** A listener without rate limits. */
    public AnetListenerConfig(String name, BindAddress bind, List<RouteConfig> routes, Optional<HashKeyConfig> hashKey,
                              ServerLimits limits, OnFailure onFailure, IpPolicy ipPolicy, TlsConfig tls) {
        this(name, bind, routes, hashKey, limits, onFailure, ipPolicy, tls, dev.netkit.netty.server.ServerLimits.none());
    }

    /** A plaintext listener. */
    public AnetListenerConfig(String name, BindAddress bind, List<RouteConfig> routes, Optional<HashKeyConfig> hashKey,
                              ServerLimits limits, OnFailure onFailure, IpPolicy ipPolicy) {
        this(name, bind, routes, hashKey, limits, onFailure, ipPolicy, TlsConfig.none());
    }

    @Override
    public Protocol protocol() {
        return Protocol.ANET;
    }

    /** The route a request with {@code payload} takes, or empty when none matches. */
    public Optional<RouteConfig> route(byte[] payload) {
        return routes.stream().filter(r -> r.matches(payload)).findFirst();
    }
}
