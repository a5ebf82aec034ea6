package dev.netkit.netty.client;

import static dev.netkit.core.internal.Checks.inRange;
import static dev.netkit.core.internal.Checks.notNegative;
import static dev.netkit.core.internal.Checks.positive;

import dev.netkit.core.backoff.ExponentialBackoff;
import dev.netkit.core.balance.BalancerConfig;
import dev.netkit.core.balance.WeightedEndpoint;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.health.HealthCheckConfig;
import dev.netkit.core.retry.RetryPolicy;
import dev.netkit.core.error.NoEndpointsException;
import dev.netkit.core.pool.PoolConfig;
import dev.netkit.netty.tls.TlsConfig;
import dev.netkit.netty.transport.IoThreads;
import dev.netkit.netty.transport.TransportKind;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Immutable configuration of a {@link Broker}. Build one with {@link #builder()}; every value is
 * validated at construction with a message naming the field and the value.
 *
 * <p>The broker keeps one {@link dev.netkit.core.pool.ConnectionPool} per endpoint, configured by
 * {@link #pool()}. The builder's connection setters ({@link Builder#connectionsPerEndpoint},
 * {@link Builder#maxInFlightPerConnection}, {@link Builder#connectTimeout} …) are shorthands for
 * the pool settings they name.
 *
 * @param endpoints          the servers to send to, with their weights and zones; at least one
 * @param balancer           how an endpoint is chosen per request and when endpoints are taken
 *                           out of service (outlier ejection, panic, slow start); default
 *                           {@link BalancerConfig#defaults()}: round robin, ejection after 5
 *                           consecutive failures
 * @param retry              when a failed request is sent again to another endpoint: by default
 *                           once, only after a lost or refused connection and only if it was
 *                           never written (or {@link RequestOptions#idempotent()}), with 25..250 ms
 *                           full-jitter backoff, within a retry budget of 20 % of requests + 10/s;
 *                           {@link RetryPolicy#none()} to never retry
 * @param healthCheck        active health checks of every endpoint (interval, jitter, timeout,
 *                           rise/fall thresholds), or null for none (default): an endpoint failing
 *                           them is not picked; a passing check returns an ejected endpoint early
 * @param healthCheckPayload with {@code healthCheck}: the probe sent as a request, whose answer
 *                           must echo it; null = a TCP connect check (default)
 * @param pool               the per-endpoint connection pool: connections per endpoint
 *                           ({@code minIdle} .. {@code maxTotal}; default 0 .. 1), requests in
 *                           flight per connection ({@code maxLeasesPerConnection}; default 256, at
 *                           most {@link #MAX_IN_FLIGHT_LIMIT}), requests waiting for a connection
 *                           ({@code maxPending}; default 1024), dial timeout (3 s) and backoff
 *                           (50 ms doubling ± 20 % up to 2 s), idle timeout, lifetime, validation
 * @param requestTimeout     default deadline of a request, from {@code send} to its response,
 *                           waiting for a connection included; default 5 s
 * @param closeTimeout       how long {@link Broker#close()} waits for in-flight requests before
 *                           failing them; default 5 s
 * @param validationPayload  when set, idle connections are validated in the background by sending
 *                           this payload as a request (any answer within the pool's validation
 *                           timeout passes); default none
 * @param tcpNoDelay         TCP_NODELAY; default true
 * @param ioThreads          event loop threads; default half the processors, at least one
 * @param transport          native epoll or NIO; default {@link TransportKind#AUTO}
 * @param qos                classes of service for requests waiting for a connection
 *                           ({@link RequestOptions#qosClass()}): when every connection of an
 *                           endpoint is busy, its waiters are served by class (strict priority
 *                           with a starvation bound, then weighted fair); default null: first
 *                           come, first served
 * @param sendLimit          a client-side rate limit on {@code send} (requests/s, bytes/s): a send
 *                           over it is delayed on a timer, never by blocking; default null: none
 * @param tls                TLS to every endpoint (and for the health probes); default
 *                           {@link TlsConfig#none()}. The name sent as SNI and verified is the
 *                           endpoint's host unless {@link TlsConfig#serverName()} is set. A
 *                           connection reaches the pool only once its handshake completed; a
 *                           failed handshake fails the dial with a
 *                           {@link dev.netkit.core.error.TlsHandshakeException}
 */
public record BrokerConfig(
        List<WeightedEndpoint> endpoints,
        BalancerConfig balancer,
        RetryPolicy retry,
        HealthCheckConfig healthCheck,
        byte[] healthCheckPayload,
        PoolConfig pool,
        Duration requestTimeout,
        Duration closeTimeout,
        byte[] validationPayload,
        boolean tcpNoDelay,
        int ioThreads,
        TransportKind transport,
        dev.netkit.core.qos.QosPolicy qos,
        SendLimit sendLimit,
        TlsConfig tls) {

    /** The largest {@code maxInFlightPerConnection}. */
    public static final int MAX_IN_FLIGHT_LIMIT = 65_536;

    /** Validates every field. */
    public BrokerConfig {
        Objects.requireNonNull(endpoints, "endpoints");
        if (endpoints.isEmpty()) {
            throw new NoEndpointsException("endpoints: none configured (expected: at least one host:port)");
        }
        endpoints = List.copyOf(endpoints);
        if (endpoints.stream().map(WeightedEndpoint::address).distinct().count() != endpoints.size()) {
            throw new IllegalArgumentException("endpoints: " + endpoints.stream().map(WeightedEndpoint::address).toList()
                    + " (expected: each listed once)");
        }
        Objects.requireNonNull(balancer, "balancer");
        Objects.requireNonNull(retry, "retry");
        if (healthCheckPayload != null && healthCheck == null) {
            throw new IllegalArgumentException("healthCheckPayload is set but healthCheck is not (expected: both, or the payload alone unset)");
        }
        healthCheckPayload = healthCheckPayload == null ? null : healthCheckPayload.clone();
        Objects.requireNonNull(pool, "pool");
        inRange("maxInFlightPerConnection", pool.maxLeasesPerConnection(), 1, MAX_IN_FLIGHT_LIMIT);
        positive("requestTimeout", requestTimeout);
        notNegative("closeTimeout", closeTimeout);
        validationPayload = validationPayload == null ? null : validationPayload.clone();
        positive("ioThreads", ioThreads);
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(tls, "tls").checkClient();
    }

    /** Connections kept per endpoint at most (the pool's {@code maxTotal}). */
    public int connectionsPerEndpoint() {
        return pool.maxTotal();
    }

    /** Requests outstanding on one connection at once (the pool's {@code maxLeasesPerConnection}). */
    public int maxInFlightPerConnection() {
        return pool.maxLeasesPerConnection();
    }

    /** How long opening a connection may take (the pool's {@code dialTimeout}). */
    public Duration connectTimeout() {
        return pool.dialTimeout();
    }

    /** The health probe payload, or null; a copy. */
    @Override
    public byte[] healthCheckPayload() {
        return healthCheckPayload == null ? null : healthCheckPayload.clone();
    }

    /** The validation payload, or null; a copy. */
    @Override
    public byte[] validationPayload() {
        return validationPayload == null ? null : validationPayload.clone();
    }

    /** The broker's pool defaults: see {@link #pool()}. */
    public static PoolConfig defaultPool() {
        return PoolConfig.builder()
                .minIdle(0)
                .maxTotal(1)
                .maxLeasesPerConnection(256)
                .maxPending(1024)
                .dialTimeout(Duration.ofSeconds(3))
                .dialBackoff(new ExponentialBackoff(Duration.ofMillis(50), 2.0, 0.2, Duration.ofSeconds(2)))
                .build();
    }

    /** A builder with the defaults and no endpoints. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Mutable builder for {@link BrokerConfig}; {@link #build()} validates. */
    public static final class Builder {
        private List<WeightedEndpoint> endpoints = List.of();
        private BalancerConfig balancer = BalancerConfig.defaults();
        private RetryPolicy retry = RetryPolicy.defaults();
        private HealthCheckConfig healthCheck;
        private byte[] healthCheckPayload;
        private PoolConfig.Builder pool = defaultPool().toBuilder();
        private Duration requestTimeout = Duration.ofSeconds(5);
        private Duration closeTimeout = Duration.ofSeconds(5);
        private byte[] validationPayload;
        private boolean tcpNoDelay = true;
        private int ioThreads = IoThreads.defaultCount();
        private TransportKind transport = TransportKind.AUTO;
        private dev.netkit.core.qos.QosPolicy qos;
        private SendLimit sendLimit;
        private TlsConfig tls = TlsConfig.none();

        private Builder() {}

        private Builder(BrokerConfig c) {
            endpoints = c.endpoints;
            balancer = c.balancer;
            retry = c.retry;
            healthCheck = c.healthCheck;
            healthCheckPayload = c.healthCheckPayload;
            pool = c.pool.toBuilder();
            requestTimeout = c.requestTimeout;
            closeTimeout = c.closeTimeout;
            validationPayload = c.validationPayload;
            tcpNoDelay = c.tcpNoDelay;
            ioThreads = c.ioThreads;
            transport = c.transport;
            qos = c.qos;
            sendLimit = c.sendLimit;
            tls = c.tls;
        }

        /** The endpoints, each with weight 1 and no zone. */
        public Builder endpoints(List<Endpoint> value) { endpoints = value.stream().map(WeightedEndpoint::of).toList(); return this; }
        /** Parses {@code host:port[,host:port...]}, each with weight 1 and no zone. */
        public Builder endpoints(String value) { return endpoints(Endpoint.parseList(value)); }
        /** @see BrokerConfig#endpoints() */
        public Builder weightedEndpoints(List<WeightedEndpoint> value) { endpoints = value; return this; }
        /** Active TCP connect checks of every endpoint; see {@link BrokerConfig#healthCheck()}. */
        public Builder healthCheck(HealthCheckConfig value) { healthCheck = value; healthCheckPayload = null; return this; }
        /** Active protocol probes of every endpoint: {@code payload} sent as a request must come back echoed. */
        public Builder healthCheck(HealthCheckConfig value, byte[] payload) {
            healthCheck = Objects.requireNonNull(value, "healthCheck");
            healthCheckPayload = Objects.requireNonNull(payload, "payload");
            return this;
        }
        /** @see BrokerConfig#retry() */
        public Builder retry(RetryPolicy value) { retry = value; return this; }
        /** @see BrokerConfig#balancer() */
        public Builder balancer(BalancerConfig value) { balancer = value; return this; }
        /** Replaces the whole pool configuration; see {@link BrokerConfig#pool()}. */
        public Builder pool(PoolConfig value) { pool = Objects.requireNonNull(value, "pool").toBuilder(); return this; }
        /** A fixed number of connections per endpoint, opened up front and kept: min idle = max total = {@code value}. */
        public Builder connectionsPerEndpoint(int value) {
            positive("connectionsPerEndpoint", value);
            pool.minIdle(value).maxTotal(value);
            return this;
        }
        /** Connections per endpoint between {@code min} (kept open) and {@code max} (opened on demand). */
        public Builder connectionsPerEndpoint(int min, int max) { pool.minIdle(min).maxTotal(max); return this; }
        /** Requests outstanding on one connection; 1 = strict request/response. */
        public Builder maxInFlightPerConnection(int value) {
            inRange("maxInFlightPerConnection", value, 1, MAX_IN_FLIGHT_LIMIT);
            pool.maxLeasesPerConnection(value);
            return this;
        }
        /** Requests allowed to wait for a connection (per endpoint); beyond it {@code send} fails with queue-full. */
        public Builder maxPendingRequests(int value) { pool.maxPending(value); return this; }
        /** @see BrokerConfig#requestTimeout() */
        public Builder requestTimeout(Duration value) { requestTimeout = value; return this; }
        /** How long opening a connection may take. */
        public Builder connectTimeout(Duration value) { pool.dialTimeout(value); return this; }
        /** @see BrokerConfig#closeTimeout() */
        public Builder closeTimeout(Duration value) { closeTimeout = value; return this; }
        /** After failed connects the wait doubles from 50 ms (± 20 %) up to {@code value}. */
        public Builder reconnectBackoffMax(Duration value) {
            positive("reconnectBackoffMax", value);
            Duration initial = Duration.ofMillis(50);
            pool.dialBackoff(new ExponentialBackoff(initial, 2.0, 0.2, value.compareTo(initial) < 0 ? initial : value));
            return this;
        }
        /** @see BrokerConfig#validationPayload() */
        public Builder validationPayload(byte[] value) { validationPayload = value; return this; }
        /**
         * Validates idle connections every {@code interval} by sending {@code payload}: sets the
         * payload, the pool's validation interval, and a maintenance pass at least as frequent.
         */
        public Builder validation(byte[] payload, Duration interval) {
            positive("validation interval", interval);
            validationPayload = Objects.requireNonNull(payload, "payload");
            pool.validationInterval(interval);
            Duration pass = interval.compareTo(Duration.ofSeconds(1)) < 0 ? interval : Duration.ofSeconds(1);
            pool.maintenanceInterval(pass);
            return this;
        }
        /** @see BrokerConfig#tcpNoDelay() */
        public Builder tcpNoDelay(boolean value) { tcpNoDelay = value; return this; }
        /** @see BrokerConfig#ioThreads() */
        public Builder ioThreads(int value) { ioThreads = value; return this; }
        /** @see BrokerConfig#transport() */
        public Builder transport(TransportKind value) { transport = value; return this; }
        /** @see BrokerConfig#tls() */
        public Builder tls(TlsConfig value) { tls = value; return this; }

        /** @see BrokerConfig#qos() */
        public Builder qos(dev.netkit.core.qos.QosPolicy value) { qos = value; return this; }
        /** @see BrokerConfig#sendLimit() */
        public Builder sendLimit(SendLimit value) { sendLimit = value; return this; }

        /** Validates and builds the configuration. */
        public BrokerConfig build() {
            return new BrokerConfig(endpoints, balancer, retry, healthCheck, healthCheckPayload, pool.build(), requestTimeout, closeTimeout, validationPayload,
                    tcpNoDelay, ioThreads, transport, qos, sendLimit, tls);
        }
    }
}
