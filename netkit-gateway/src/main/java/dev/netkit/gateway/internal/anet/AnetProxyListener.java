package dev.netkit.gateway.internal.anet;

import dev.netkit.core.event.EventBus;
import dev.netkit.gateway.AnetListenerStats;
import dev.netkit.gateway.internal.GatewayListener;
import java.time.Duration;
import dev.netkit.gateway.config.AnetListenerConfig;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.transport.IoGroup;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A request-level listener of the gateway ({@code protocol: anet}): a {@link FrameServer} on the
 * shared event loops whose requests are routed by payload and forwarded by their cluster's
 * {@link Broker} (see {@link ForwardingHandler}). Routes, clusters, {@code on_failure} and the
 * client IP policy can be swapped while it runs; its bind address and client limits are fixed
 * for its life.
 *
 * <p>Thread-safe.
 */
public final class AnetProxyListener implements GatewayListener, AutoCloseable {
    private final AnetCounters counters;
    private final ForwardingHandler handler;
    private final FrameServer server;
    private final IoGroup io;
    private volatile AnetListenerConfig config;

    private AnetProxyListener(AnetListenerConfig config, AnetCounters counters, ForwardingHandler handler, FrameServer server,
                              IoGroup io) {
        this.config = config;
        this.io = io;
        this.counters = counters;
        this.handler = handler;
        this.server = server;
    }

    /**
     * Binds and starts serving.
     *
     * @param brokers the broker of each cluster the routes name
     * @param events  where the client side's events go, or null
     */
    public static AnetProxyListener start(AnetListenerConfig config, Function<String, Broker> brokers, IoGroup io, EventBus events) {
        AnetCounters counters = new AnetCounters();
        ForwardingHandler handler = new ForwardingHandler(CompiledRoutes.of(config, brokers, null, io), config.onFailure(), counters);
        FrameServer.Builder server = FrameServer.builder()
                .config(config.limits().frameServerConfig(config.bind()).toBuilder()
                        .maxInFlightPerConnection(config.limits().maxInFlight())
                        .ipPolicy(config.ipPolicy()).tls(config.tls()).limits(config.rateLimits()).build())
                .io(io)
                .asyncHandler(handler);
        if (events != null) {
            server.events(events);
        }
        FrameServer started;
        try {
            started = server.start();
        } catch (RuntimeException e) {
            handler.routes().closeLimiters();
            throw e;
        }
        return new AnetProxyListener(config, counters, handler, started, io);
    }

    /**
     * Whether {@code next} can be applied without re-binding: same bind address, client limits,
     * rate limits and tls (routes, their rate limits and classes, hash key, on_failure and the IP
     * policy may differ).
     */
    public boolean canUpdateTo(AnetListenerConfig next) {
        AnetListenerConfig c = config;
        return c.bind().equals(next.bind()) && c.limits().equals(next.limits()) && c.tls().equals(next.tls())
                && c.rateLimits().equals(next.rateLimits());
    }

    /** Swaps routes, clusters, hash key and on_failure for requests from now on, and the IP policy for new connections. */
    public void update(AnetListenerConfig next, Function<String, Broker> brokers) {
        if (!canUpdateTo(next)) {
            throw new IllegalArgumentException("listener " + next.name() + ": bind, limits or tls changed; it must be re-bound");
        }
        CompiledRoutes previous = handler.routes();
        CompiledRoutes routes = CompiledRoutes.of(next, brokers, previous, io);
        handler.update(routes, next.onFailure());
        routes.closeUnusedOf(previous); // a request racing the swap on a closed fleet limiter gets its local share
        server.ipPolicy(next.ipPolicy());
        config = next;
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public AnetListenerConfig config() {
        return config;
    }

    /** The clusters the current routes send to, with their brokers. */
    public Map<String, Broker> clusters() {
        return handler.routes().clusters();
    }

    /** The client-side server (for its stats and meters); owned by this listener. */
    public FrameServer server() {
        return server;
    }

    @Override
    public InetSocketAddress localAddress() {
        return server.localAddress();
    }

    @Override
    public AnetListenerStats stats() {
        return new AnetListenerStats(config.name(), counters.requests.sum(), counters.answered.sum(),
                counters.failuresByKind(), counters.dropped.sum(), counters.closedClients.sum(), server.stats(),
                handler.routes().limitStats(), server.fleetStats());
    }

    /** Stops accepting; answers what is in flight (bounded by the listener's shutdown timeout); closes. */
    public CompletableFuture<Void> closeAsync() {
        return server.stopAsync().whenComplete((v, e) -> handler.routes().closeLimiters());
    }

    /** {@link #closeAsync()}: requests in flight are bounded by the listener's own shutdown timeout. */
    @Override
    public CompletableFuture<Void> closeAsync(Duration connectionDrain) {
        return closeAsync();
    }

    @Override
    public void close() {
        server.stop();
        handler.routes().closeLimiters();
    }

    /** Per route with a {@code rate_limit}: requests refused and, for a fleet limit, its Redis counters. */
    public Map<String, Map<String, Object>> routeLimits() {
        return handler.routes().limitStats();
    }

    @Override
    public void reloadTls() {
        if (config.tls().enabled()) {
            server.reloadTls();
        }
    }
}
