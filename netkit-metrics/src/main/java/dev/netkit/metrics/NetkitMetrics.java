package dev.netkit.metrics;

import dev.netkit.netty.client.Broker;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.udp.UdpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.TimeUnit;

/**
 * Micrometer meters for netkit servers and brokers, and a registry for {@link MetricsEndpoint}.
 *
 * <pre>{@code
 * PrometheusMeterRegistry registry = NetkitMetrics.prometheusRegistry();
 * try (ServerMetrics s = NetkitMetrics.bind(registry, server);
 *      MetricsEndpoint http = MetricsEndpoint.start(registry, "127.0.0.1", 9464)) { ... }
 *
 * BrokerMetrics metrics = BrokerMetrics.create(registry);          // before the broker:
 * Broker broker = Broker.create(config, listener, metrics.observer()); // the latency hook
 * metrics.bind(broker);
 * }</pre>
 *
 * <p><b>Names</b> as Prometheus shows them (Micrometer adds {@code _total} to counters and
 * {@code _seconds} to times; every time is in seconds):
 * <ul>
 * <li>server: see {@link ServerMetrics}; UDP server: see {@link UdpServerMetrics};
 * <li>broker: {@code netkit_broker_requests_sent_total}, {@code _responses_total},
 *     {@code _timeouts_total}, {@code _connection_failures_total}, {@code _protocol_violations_total},
 *     {@code _late_responses_total}, {@code _rejected_total}, {@code _retries_total},
 *     {@code _throttled_total}, {@code _throttled_seconds_total}, {@code _rate_limited_total} (the send limit),
 *     {@code _connections_opened_total}, gauges {@code netkit_broker_in_flight},
 *     {@code netkit_broker_connections}, {@code netkit_broker_connection_reuse_ratio};
 *     balancer-wide {@code netkit_balancer_endpoints_in_service}, {@code netkit_balancer_panic},
 *     {@code netkit_balancer_ejections_total}, {@code netkit_balancer_panics_total};
 * <li>per pool, tag {@code endpoint}: gauges {@code netkit_pool_connections} (total),
 *     {@code _connections_idle}, {@code _connections_leased}, {@code _connections_dialing},
 *     {@code _connections_validating}, {@code netkit_pool_leases}, {@code netkit_pool_pending};
 *     counters {@code netkit_pool_connections_opened_total},
 *     {@code netkit_pool_connections_closed_total{reason=idle|lifetime|validation|peer_closed|error|evicted|pool_closed}},
 *     {@code netkit_pool_dial_failures_total}, {@code netkit_pool_acquires_total} (and
 *     {@code _reused}, {@code _rejected}, {@code _timed_out}, {@code _failed_fast}),
 *     {@code netkit_pool_validations_total}; {@code netkit_pool_acquire_wait_seconds{quantile=0.5|0.99|1}}
 *     (since the pool started);
 * <li>per balancer endpoint, tag {@code endpoint}: {@code netkit_balancer_endpoint_outstanding},
 *     {@code _weight}, {@code _latency_ewma_seconds}, counters {@code _picks_total},
 *     {@code _successes_total}, {@code _failures_total}, {@code _ejections_total}; one-hot
 *     {@code netkit_balancer_endpoint_status{status=healthy|slow_start|unhealthy|ejected|breaker_open|drained}}
 *     and, with a circuit breaker, {@code netkit_balancer_endpoint_breaker{state=closed|open|half_open}};
 * <li>per attempt: histogram {@code netkit_client_request_seconds{endpoint,outcome}} (buckets from
 *     10 µs to 30 s), {@code outcome} = {@code success} or an error kind ({@code timeout},
 *     {@code connection_lost}, ...), plus {@code netkit_client_request_seconds_max}.
 * </ul>
 */
public final class NetkitMetrics {
    /**
     * Pull meters share one stats snapshot taken at most this often: one scrape sees one
     * consistent snapshot (unless it takes longer), and values lag the live stats by at most this.
     */
    static final long SNAPSHOT_TTL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private NetkitMetrics() {}

    /** Registers a server's meters; close the result to remove them. */
    public static ServerMetrics bind(MeterRegistry registry, FrameServer server) {
        return bind(registry, server, Tags.empty());
    }

    /** Registers a server's meters with extra {@code tags} (to tell several servers apart). */
    public static ServerMetrics bind(MeterRegistry registry, FrameServer server, Tags tags) {
        return new ServerMetrics(registry, server, tags);
    }

    /** Registers a UDP server's meters (see {@link UdpServerMetrics} for the names). */
    public static UdpServerMetrics bind(MeterRegistry registry, UdpServer server) {
        return bind(registry, server, Tags.empty());
    }

    /** Registers a UDP server's meters with extra {@code tags} (to tell several servers apart). */
    public static UdpServerMetrics bind(MeterRegistry registry, UdpServer server, Tags tags) {
        return new UdpServerMetrics(registry, server, tags);
    }

    /**
     * Registers the meters of a broker created without {@link BrokerMetrics#observer()}: all but
     * the latency timers. Prefer {@link BrokerMetrics#create} before creating the broker.
     */
    public static BrokerMetrics bind(MeterRegistry registry, Broker broker) {
        return BrokerMetrics.create(registry).bind(broker);
    }

    /**
     * A Prometheus registry with Micrometer's defaults, for {@link MetricsEndpoint}, on a clock
     * refreshed every 10 ms instead of read per record (a timer record then costs 16 ns instead
     * of 64 ns; see {@code CoarseClock}). A registry of your own works too, at its clock's cost.
     */
    public static PrometheusMeterRegistry prometheusRegistry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), CoarseClock.shared());
    }
}
