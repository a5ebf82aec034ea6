package dev.netkit.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tiny HTTP server for Prometheus: {@code GET /metrics} answers the registry's scrape in the
 * text format 0.0.4 ({@code text/plain; version=0.0.4; charset=utf-8}), or OpenMetrics when the
 * scraper's {@code Accept} asks for {@code application/openmetrics-text}. Any other path is 404,
 * any other method on {@code /metrics} 405.
 *
 * <p>Built on the JDK's {@code com.sun.net.httpserver} with one daemon thread: scrapes are rare
 * and small, and this keeps the module free of an HTTP codec. Binds to loopback unless told
 * otherwise. {@link #close()} stops it.
 */
public final class MetricsEndpoint implements AutoCloseable {
    /** The path served. */
    public static final String PATH = "/metrics";
    static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);

    private final HttpServer server;
    private final ExecutorService thread;
    private final PrometheusMeterRegistry registry;

    private MetricsEndpoint(HttpServer server, ExecutorService thread, PrometheusMeterRegistry registry) {
        this.server = server;
        this.thread = thread;
        this.registry = registry;
    }

    /** Starts on {@code 127.0.0.1:port} (0: any free port). */
    public static MetricsEndpoint start(PrometheusMeterRegistry registry, int port) throws IOException {
        return start(registry, "127.0.0.1", port);
    }

    /**
     * Starts on {@code host:port} (0: any free port; {@code 0.0.0.0} for every interface).
     *
     * @throws IOException if the address cannot be bound
     */
    public static MetricsEndpoint start(PrometheusMeterRegistry registry, String host, int port) throws IOException {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port: 0..65535, got " + port);
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        ExecutorService thread = Executors.newSingleThreadExecutor(
                r -> Thread.ofPlatform().daemon().name("netkit-metrics-http").unstarted(r));
        MetricsEndpoint endpoint = new MetricsEndpoint(server, thread, registry);
        server.createContext("/", endpoint::handle);
        server.setExecutor(thread);
        server.start();
        return endpoint;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!PATH.equals(exchange.getRequestURI().getPath())) {
                respond(exchange, 404, "text/plain; charset=utf-8", "not found; try " + PATH + "\n");
                return;
            }
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
                return;
            }
            String accept = exchange.getRequestHeaders().getFirst("Accept");
            boolean openMetrics = accept != null && accept.contains("application/openmetrics-text");
            String body;
            try {
                body = openMetrics ? registry.scrape(OPENMETRICS) : registry.scrape();
            } catch (RuntimeException e) {
                log.warn("scrape failed", e);
                respond(exchange, 500, "text/plain; charset=utf-8", "scrape failed: " + e + "\n");
                return;
            }
            respond(exchange, 200, openMetrics ? OPENMETRICS : TEXT_004, body);
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The bound address, with the real port when started with port 0. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** {@code http://HOST:PORT/metrics} (an IPv6 host in brackets). */
    public URI uri() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + a.getPort() + PATH);
    }

    /** Stops listening and releases the thread; an exchange in progress is cut off. Idempotent. */
    @Override
    public void close() {
        server.stop(0);
        thread.shutdownNow();
    }
}
