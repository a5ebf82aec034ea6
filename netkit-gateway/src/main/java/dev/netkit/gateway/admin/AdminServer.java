package dev.netkit.gateway.admin;

import com.sun.net.httpserver.HttpServer;
import dev.netkit.gateway.Gateway;
import dev.netkit.gateway.GatewayException;
import dev.netkit.gateway.config.BindAddress;
import dev.netkit.gateway.config.GatewayConfig;
import dev.netkit.metrics.NetkitMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's admin HTTP server (as Envoy's admin or HAProxy's stats socket): health for load
 * balancers in front, stats, the effective configuration, Prometheus metrics, and the operator's
 * actions. Loopback by default ({@code admin: { bind: 127.0.0.1:9901 }}): it can reload and stop
 * the gateway and has no authentication.
 *
 * <table>
 * <caption>Endpoints</caption>
 * <tr><th>request</th><th>answer</th></tr>
 * <tr><td>{@code GET /ready}</td><td>200 {@code ready}; 503 {@code draining} once a drain began</td></tr>
 * <tr><td>{@code GET /stats}</td><td>JSON: each listener's counters</td></tr>
 * <tr><td>{@code GET /clusters}</td><td>JSON: each cluster's endpoints as its broker and each L4 listener's
 *     balancer see them (status, outstanding, latency, requests, errors, ejections, breaker, upstream connections)</td></tr>
 * <tr><td>{@code GET /config}</td><td>the effective configuration: YAML, or JSON with {@code ?format=json}
 *     or {@code Accept: application/json}</td></tr>
 * <tr><td>{@code GET /metrics}</td><td>Prometheus text (OpenMetrics when asked by {@code Accept})</td></tr>
 * <tr><td>{@code POST /reload}</td><td>runs the reload action: 200 with its message, 400 with the
 *     error (the running configuration stays)</td></tr>
 * <tr><td>{@code POST /drain}</td><td>202; runs the drain action once, after answering</td></tr>
 * <tr><td>{@code POST /clusters/NAME/endpoints/HOST:PORT/drain} (or {@code /enable})</td><td>maintenance
 *     mode on or off for that endpoint: 200; 404 for an unknown cluster or endpoint</td></tr>
 * </table>
 *
 * <p>Other paths answer 404 and other methods 405 (with {@code Allow}); every answer is one body,
 * JSON or a line of text. Handlers run on two threads of this server's own, never on the
 * gateway's event loops.
 *
 * <pre>{@code
 * Gateway gateway = Gateway.start(GatewayConfig.load(file));
 * AdminServer admin = AdminServer.start(gateway, AdminServer.reloadFrom(gateway, file), stop::countDown);
 * stop.await();
 * gateway.close();   // /ready answers "draining" meanwhile
 * admin.close();
 * }</pre>
 *
 * <p>The admin's bind address is read once, at start: a reload that changes {@code admin.bind}
 * takes effect at the next start. Thread-safe.
 */
public final class AdminServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads;
    private final AdminRoutes routes;

    private AdminServer(HttpServer server, ExecutorService threads, AdminRoutes routes) {
        this.server = server;
        this.threads = threads;
        this.routes = routes;
    }

    /** Starts on the gateway's {@code admin.bind}; see {@link #start(Gateway, BindAddress, Callable, Runnable)}. */
    public static AdminServer start(Gateway gateway, Callable<String> reload, Runnable drain) {
        return start(gateway, gateway.config().admin().bind(), reload, drain);
    }

    /**
     * Binds and starts serving.
     *
     * @param bind   where to listen (port 0: any free port)
     * @param reload {@code POST /reload}: re-reads the file and applies it; returns what to tell
     *               the caller, throws when the file is invalid or cannot be applied (its message,
     *               first line, is the 400's body). See {@link #reloadFrom}.
     * @param drain  {@code POST /drain}: begins a graceful stop; run once, on a thread of its own,
     *               after the 202 is sent
     * @throws GatewayException if the address cannot be bound
     */
    public static AdminServer start(Gateway gateway, BindAddress bind, Callable<String> reload, Runnable drain) {
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(reload, "reload");
        Objects.requireNonNull(drain, "drain");
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bind.host(), bind.port()), 16);
        } catch (IOException e) {
            throw new GatewayException("admin: cannot bind " + bind + ": " + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(2,
                r -> Thread.ofPlatform().daemon().name("netkit-gateway-admin-" + n.incrementAndGet()).unstarted(r));
        PrometheusMeterRegistry registry = NetkitMetrics.prometheusRegistry();
        AdminRoutes routes = new AdminRoutes(gateway, registry, new GatewayMetrics(registry, gateway), reload, drain);
        server.createContext("/", routes::handle);
        server.setExecutor(threads);
        server.start();
        return new AdminServer(server, threads, routes);
    }

    /**
     * A reload action for {@link #start}: reads {@code file} and applies it to {@code gateway}.
     * Its message names the file and counts listeners and clusters; it throws the
     * {@link dev.netkit.gateway.config.ConfigException} or {@link GatewayException} that says why not.
     */
    public static Callable<String> reloadFrom(Gateway gateway, Path file) {
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(file, "file");
        return () -> {
            GatewayConfig next = GatewayConfig.load(file);
            gateway.reload(next);
            return "reloaded " + file + ": " + next.listeners().size() + " listeners, " + next.clusters().size() + " clusters";
        };
    }

    /** The bound address, with the real port when started with port 0. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** {@code http://HOST:PORT} (an IPv6 host in brackets), to which the endpoints' paths are appended. */
    public URI uri() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        return URI.create("http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort());
    }

    /** Stops listening (an exchange in progress is cut off) and removes every meter. Idempotent. */
    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        routes.close();
    }
}
