package dev.netkit.gateway.admin;

import com.sun.net.httpserver.HttpExchange;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.gateway.Gateway;
import dev.netkit.gateway.config.EffectiveConfig;
import dev.netkit.gateway.internal.cluster.ClusterRuntime;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The admin endpoints: routing by path and method, and one handler per endpoint. See {@link AdminServer}. */
final class AdminRoutes implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminRoutes.class);
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String JSON = "application/json";
    private static final String YAML = "application/yaml; charset=utf-8";
    private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final String PATHS = "GET /ready /stats /clusters /config /metrics; "
            + "POST /reload /drain /clusters/NAME/endpoints/HOST:PORT/drain|enable";

    /** One answer. {@code allow}: the Allow header (405), or null; {@code after}: runs once the answer is sent, or null. */
    private record Response(int status, String contentType, String body, String allow, Runnable after) {
        static Response text(int status, String line) {
            return new Response(status, TEXT, line + "\n", null, null);
        }

        static Response of(int status, String contentType, String body) {
            return new Response(status, contentType, body, null, null);
        }
    }

    private final Gateway gateway;
    private final PrometheusMeterRegistry registry;
    private final GatewayMetrics metrics; // guarded by itself
    private final Callable<String> reload;
    private final Runnable drain;
    private final AtomicBoolean drainRequested = new AtomicBoolean();

    AdminRoutes(Gateway gateway, PrometheusMeterRegistry registry, GatewayMetrics metrics, Callable<String> reload, Runnable drain) {
        this.gateway = gateway;
        this.registry = registry;
        this.metrics = metrics;
        this.reload = reload;
        this.drain = drain;
    }

    void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Response r;
            try {
                r = route(exchange);
            } catch (RuntimeException e) {
                log.warn("admin {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                r = Response.text(500, "internal error: " + oneLine(e));
            }
            send(exchange, r);
            if (r.after() != null) {
                r.after().run();
            }
        }
    }

    private Response route(HttpExchange x) {
        String method = x.getRequestMethod();
        String path = x.getRequestURI().getRawPath();
        return switch (path) {
            case "/ready" -> get(method, this::ready);
            case "/stats" -> get(method, () -> json(StatsView.listeners(gateway)));
            case "/clusters" -> get(method, () -> json(StatsView.clusters(gateway)));
            case "/config" -> get(method, () -> config(x));
            case "/metrics" -> get(method, () -> metrics(x));
            case "/reload" -> post(method, this::reload);
            case "/drain" -> post(method, this::drain);
            default -> path.startsWith("/clusters/") ? maintenance(method, path) : notFound(path);
        };
    }

    private static Response get(String method, Supplier<Response> handler) {
        return method.equals("GET") || method.equals("HEAD") ? handler.get() : notAllowed(method, "GET, HEAD");
    }

    private static Response post(String method, Supplier<Response> handler) {
        return method.equals("POST") ? handler.get() : notAllowed(method, "POST");
    }

    private static Response notAllowed(String method, String allow) {
        return new Response(405, TEXT, "method " + method + " not allowed; allowed: " + allow + "\n", allow, null);
    }

    private static Response notFound(String path) {
        return Response.text(404, "not found: " + path + "; endpoints: " + PATHS);
    }

    private static Response json(Object document) {
        return Response.of(200, JSON, Json.write(document));
    }

    private Response ready() {
        return drainRequested.get() || gateway.draining() ? Response.text(503, "draining") : Response.text(200, "ready");
    }

    private Response config(HttpExchange x) {
        String format = queryParameter(x.getRequestURI().getRawQuery(), "format");
        String accept = x.getRequestHeaders().getFirst("Accept");
        if (format == null) {
            format = accept != null && accept.contains(JSON) ? "json" : "yaml";
        }
        return switch (format) {
            case "json" -> json(EffectiveConfig.toMap(gateway.config()));
            case "yaml" -> Response.of(200, YAML, gateway.config().toYaml());
            default -> Response.text(400, "format: unknown value \"" + format + "\"; allowed: yaml, json");
        };
    }

    private static String queryParameter(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && decode(pair.substring(0, eq)).equals(name)) {
                return decode(pair.substring(eq + 1));
            }
        }
        return null;
    }

    private Response metrics(HttpExchange x) {
        String accept = x.getRequestHeaders().getFirst("Accept");
        boolean openMetrics = accept != null && accept.contains("application/openmetrics-text");
        String body;
        synchronized (metrics) {
            metrics.sync();
            body = openMetrics ? registry.scrape(OPENMETRICS) : registry.scrape();
        }
        return Response.of(200, openMetrics ? OPENMETRICS : PROMETHEUS, body);
    }

    private Response reload() {
        try {
            String message = reload.call();
            log.info("admin reload: {}", message);
            return Response.text(200, message);
        } catch (Exception e) {
            log.warn("admin reload rejected, the running configuration stays: {}", oneLine(e));
            return Response.text(400, oneLine(e));
        }
    }

    private Response drain() {
        if (!drainRequested.compareAndSet(false, true)) {
            return Response.text(202, "already draining");
        }
        log.info("admin: drain requested");
        // after the 202 is sent, on a thread of its own: the action may stop this server
        Runnable start = () -> Thread.ofPlatform().name("netkit-gateway-admin-drain").start(drain);
        return new Response(202, TEXT, "draining\n", null, start);
    }

    /** {@code /clusters/NAME/endpoints/HOST:PORT/drain} or {@code .../enable}. */
    private Response maintenance(String method, String path) {
        String[] parts = path.split("/", -1);
        if (parts.length != 6 || !parts[3].equals("endpoints") || !(parts[5].equals("drain") || parts[5].equals("enable"))) {
            return notFound(path);
        }
        if (!method.equals("POST")) {
            return notAllowed(method, "POST");
        }
        String name = decode(parts[2]);
        List<ClusterRuntime> clusters = gateway.clusters();
        ClusterRuntime cluster = clusters.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
        if (cluster == null) {
            return Response.text(404, "no cluster \"" + name + "\"; clusters: "
                    + String.join(", ", clusters.stream().map(ClusterRuntime::name).toList()));
        }
        Endpoint endpoint;
        try {
            endpoint = Endpoint.parse(decode(parts[4]));
        } catch (IllegalArgumentException e) {
            return Response.text(400, e.getMessage());
        }
        boolean drained = parts[5].equals("drain");
        if (!cluster.setDrained(endpoint, drained)) {
            return Response.text(404, "cluster " + name + " has no endpoint " + endpoint + "; endpoints: "
                    + String.join(", ", cluster.config().endpoints().stream().map(e -> e.address().toString()).toList()));
        }
        log.info("admin: endpoint {} of cluster {} {}", endpoint, name, drained ? "drained" : "enabled");
        return Response.text(200, drained
                ? "drained " + endpoint + " in cluster " + name + ": no new requests or connections; those in flight finish"
                : "enabled " + endpoint + " in cluster " + name + ": back in service");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The first line of the message of {@code e} (unwrapped from a CompletionException), or its type. */
    static String oneLine(Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static void send(HttpExchange exchange, Response r) throws IOException {
        byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", r.contentType());
        if (r.allow() != null) {
            exchange.getResponseHeaders().set("Allow", r.allow());
        }
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(r.status(), head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Removes the meters. */
    @Override
    public void close() {
        synchronized (metrics) {
            metrics.close();
        }
        registry.close();
    }
}
