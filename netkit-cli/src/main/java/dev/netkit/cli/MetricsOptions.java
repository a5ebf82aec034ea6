package dev.netkit.cli;

import dev.netkit.metrics.MetricsEndpoint;
import dev.netkit.metrics.NetkitMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import picocli.CommandLine.Option;

/**
 * {@code --metrics-port} and {@code --metrics-host}: a Prometheus {@code /metrics} endpoint for
 * {@code serve} and {@code load}. Off unless {@code --metrics-port} is given.
 */
public final class MetricsOptions {
    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics on http://HOST:PORT/metrics; 0 for any free port (default: off).")
    Integer port;

    @Option(names = "--metrics-host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "Address the metrics endpoint binds (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--metrics-histograms",
            description = "Also time every request attempt per endpoint (Prometheus histograms): costs the load "
                    + "generator some throughput, see BENCHMARKS.md (default: off; counters and gauges cost nothing).")
    boolean histograms;

    /**
     * A running endpoint and its registry; closing stops the endpoint.
     *
     * @param registry   where the command binds its meters
     * @param endpoint   the HTTP server
     * @param histograms whether per-request latency timers were asked for
     */
    public record Running(PrometheusMeterRegistry registry, MetricsEndpoint endpoint, boolean histograms) implements AutoCloseable {
        /** {@code metrics on http://HOST:PORT/metrics}, the line the commands print on stderr. */
        public String announcement() {
            return "metrics on " + endpoint.uri();
        }

        @Override
        public void close() {
            endpoint.close();
            registry.close();
        }
    }

    /**
     * Starts the endpoint (the caller prints its {@link Running#announcement()}).
     *
     * @return null when {@code --metrics-port} was not given
     * @throws IOException when the address cannot be bound
     */
    public Running start() throws IOException {
        if (port == null) {
            return null;
        }
        PrometheusMeterRegistry registry = NetkitMetrics.prometheusRegistry();
        MetricsEndpoint endpoint;
        try {
            endpoint = MetricsEndpoint.start(registry, host, port);
        } catch (IOException | RuntimeException e) {
            registry.close();
            throw new IOException("metrics endpoint " + host + ":" + port + ": " + e.getMessage(), e);
        }
        return new Running(registry, endpoint, histograms);
    }
}
