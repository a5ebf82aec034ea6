package dev.netkit.gateway.config;

import static dev.netkit.core.internal.Checks.notNegative;
import static dev.netkit.core.internal.Checks.positive;

import dev.netkit.core.balance.BalancerConfig;
import dev.netkit.core.balance.WeightedEndpoint;
import dev.netkit.core.pool.PoolConfig;
import dev.netkit.core.retry.RetryPolicy;
import dev.netkit.netty.client.BrokerConfig;
import dev.netkit.netty.tls.TlsConfig;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import dev.netkit.core.qos.QosPolicy;

/**
 * A cluster: the upstream endpoints a route or tcp listener sends to, and how they are balanced,
 * checked and protected. Every field is a library configuration with the library's defaults,
 * except health checks, which the gateway turns on.
 *
 * @param name              unique in the file
 * @param endpoints         {@code endpoints: ["host:port", "host:port=WEIGHT", "host:port=WEIGHT@ZONE"]};
 *                          at least one, each address once
 * @param balancer          {@code lb}, {@code local_zone}, {@code zone_overload_threshold},
 *                          {@code panic_threshold}, {@code max_pick_effort}, {@code slow_start},
 *                          {@code hashing}, {@code outlier}, {@code breaker}: {@link BalancerConfig}
 * @param health            {@code health}: active health checks
 * @param retry             {@code retry}: {@link RetryPolicy} (its budget is per cluster)
 * @param requestTimeout    {@code timeouts.request}: a request's deadline upstream; default 5 s
 * @param closeTimeout      {@code timeouts.close}: how long closing the cluster waits for requests
 *                          in flight; default 5 s
 * @param pool              {@code upstream} and {@code timeouts.connect}: the per-endpoint
 *                          connection pool, with the broker's defaults ({@link BrokerConfig#defaultPool()})
 * @param validationProbe   {@code upstream.validation_probe} / {@code validation_probe_hex}: idle
 *                          upstream connections are validated by sending it; {@link Payload#EMPTY}
 *                          = no validation (default)
 * @param tcpNoDelay        {@code upstream.tcp_no_delay}; default true
 * @param tls               {@code tls}: TLS to every endpoint (request-level and L4 upstream
 *                          connections, and the protocol health probes); default {@link TlsConfig#none()}
 * @param qos               {@code qos}: classes of service for the requests waiting for an upstream
 *                          connection (the broker's {@code BrokerConfig.qos}); empty = one FIFO line
 */
public record ClusterConfig(
        String name,
        List<WeightedEndpoint> endpoints,
        BalancerConfig balancer,
        HealthConfig health,
        RetryPolicy retry,
        Duration requestTimeout,
        Duration closeTimeout,
        PoolConfig pool,
        Payload validationProbe,
        boolean tcpNoDelay,
        TlsConfig tls,
        Optional<QosPolicy> qos) {

    /** Validates every field; copies the endpoints. */
    public ClusterConfig {
        Objects.requireNonNull(name, "name");
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("endpoints: none (expected at least one host:port)");
        }
        Objects.requireNonNull(balancer, "balancer");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(retry, "retry");
        positive("requestTimeout", requestTimeout);
        notNegative("closeTimeout", closeTimeout);
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(validationProbe, "validationProbe");
        Objects.requireNonNull(tls, "tls").checkClient();
        Objects.requireNonNull(qos, "qos");
    }

    /** A cluster without classes of service. */
    public ClusterConfig(String name, List<WeightedEndpoint> endpoints, BalancerConfig balancer, HealthConfig health,
                         RetryPolicy retry, Duration requestTimeout, Duration closeTimeout, PoolConfig pool,
                         Payload validationProbe, boolean tcpNoDelay, TlsConfig tls) {
        this(name, endpoints, balancer, health, retry, requestTimeout, closeTimeout, pool, validationProbe, tcpNoDelay, tls,
                Optional.empty());
    }

    /** A cluster without TLS. */
    public ClusterConfig(String name, List<WeightedEndpoint> endpoints, BalancerConfig balancer, HealthConfig health,
                         RetryPolicy retry, Duration requestTimeout, Duration closeTimeout, PoolConfig pool,
                         Payload validationProbe, boolean tcpNoDelay) {
        this(name, endpoints, balancer, health, retry, requestTimeout, closeTimeout, pool, validationProbe, tcpNoDelay,
                TlsConfig.none());
    }

    /** The balancing policy ({@code lb}). */
    public LbPolicy lb() {
        return LbPolicy.of(balancer.strategy());
    }

    /** How long opening an upstream connection may take ({@code timeouts.connect}). */
    public Duration connectTimeout() {
        return pool.dialTimeout();
    }

    /**
     * The configuration of the broker that serves this cluster for anet listeners (I/O threads
     * and transport: the library's defaults; the runtime may override them).
     *
     * @throws IllegalArgumentException when the broker rejects a combination
     */
    public BrokerConfig brokerConfig() {
        return ClusterBrokerConfig.of(this);
    }
}
