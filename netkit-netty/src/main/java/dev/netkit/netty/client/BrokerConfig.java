package dev.netkit.netty.client;

import static dev.netkit.core.internal.Checks.inRange;
import static dev.netkit.core.internal.Checks.notNegative;
import static dev.netkit.core.internal.Checks.positive;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.NoEndpointsException;
import dev.netkit.netty.transport.IoThreads;
import dev.netkit.netty.transport.TransportKind;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Immutable configuration of a {@link Broker}. Build one with {@link #builder()}; every value is
 * validated at construction with a message naming the field and the value.
 *
 * @param endpoints                the servers to send to, round-robin; at least one
 * @param connectionsPerEndpoint   persistent connections opened to each endpoint; default 1
 * @param maxInFlightPerConnection requests outstanding on one connection at once (1 = strict
 *                                 request/response for servers that cannot pipeline); default 256
 * @param requestTimeout           default deadline of a request, from {@code send} to its
 *                                 response; default 5 s
 * @param connectTimeout           how long opening a connection may take; default 3 s
 * @param closeTimeout             how long {@link Broker#close()} waits for in-flight requests
 *                                 before failing them; default 5 s
 * @param reconnectBackoffMax      after failed connects, the wait before the next attempt doubles
 *                                 from 50 ms (± 20 % jitter) up to this; default 2 s
 * @param tcpNoDelay               TCP_NODELAY; default true
 * @param ioThreads                event loop threads; default half the processors, at least one
 * @param transport                native epoll or NIO; default {@link TransportKind#AUTO}
 */
public record BrokerConfig(
        List<Endpoint> endpoints,
        int connectionsPerEndpoint,
        int maxInFlightPerConnection,
        Duration requestTimeout,
        Duration connectTimeout,
        Duration closeTimeout,
        Duration reconnectBackoffMax,
        boolean tcpNoDelay,
        int ioThreads,
        TransportKind transport) {

    /** The largest {@code maxInFlightPerConnection}. */
    public static final int MAX_IN_FLIGHT_LIMIT = 65_536;

    /** Validates every field. */
    public BrokerConfig {
        Objects.requireNonNull(endpoints, "endpoints");
        if (endpoints.isEmpty()) {
            throw new NoEndpointsException("endpoints: none configured (expected: at least one host:port)");
        }
        endpoints = List.copyOf(endpoints);
        positive("connectionsPerEndpoint", connectionsPerEndpoint);
        inRange("maxInFlightPerConnection", maxInFlightPerConnection, 1, MAX_IN_FLIGHT_LIMIT);
        positive("requestTimeout", requestTimeout);
        positive("connectTimeout", connectTimeout);
        notNegative("closeTimeout", closeTimeout);
        positive("reconnectBackoffMax", reconnectBackoffMax);
        positive("ioThreads", ioThreads);
        Objects.requireNonNull(transport, "transport");
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
        private List<Endpoint> endpoints = List.of();
        private int connectionsPerEndpoint = 1;
        private int maxInFlightPerConnection = 256;
        private Duration requestTimeout = Duration.ofSeconds(5);
        private Duration connectTimeout = Duration.ofSeconds(3);
        private Duration closeTimeout = Duration.ofSeconds(5);
        private Duration reconnectBackoffMax = Duration.ofSeconds(2);
        private boolean tcpNoDelay = true;
        private int ioThreads = IoThreads.defaultCount();
        private TransportKind transport = TransportKind.AUTO;

        private Builder() {}

        private Builder(BrokerConfig c) {
            endpoints = c.endpoints;
            connectionsPerEndpoint = c.connectionsPerEndpoint;
            maxInFlightPerConnection = c.maxInFlightPerConnection;
            requestTimeout = c.requestTimeout;
            connectTimeout = c.connectTimeout;
            closeTimeout = c.closeTimeout;
            reconnectBackoffMax = c.reconnectBackoffMax;
            tcpNoDelay = c.tcpNoDelay;
            ioThreads = c.ioThreads;
            transport = c.transport;
        }

        /** @see BrokerConfig#endpoints() */
        public Builder endpoints(List<Endpoint> value) { endpoints = value; return this; }
        /** Parses {@code host:port[,host:port...]}. */
        public Builder endpoints(String value) { endpoints = Endpoint.parseList(value); return this; }
        /** @see BrokerConfig#connectionsPerEndpoint() */
        public Builder connectionsPerEndpoint(int value) { connectionsPerEndpoint = value; return this; }
        /** @see BrokerConfig#maxInFlightPerConnection() */
        public Builder maxInFlightPerConnection(int value) { maxInFlightPerConnection = value; return this; }
        /** @see BrokerConfig#requestTimeout() */
        public Builder requestTimeout(Duration value) { requestTimeout = value; return this; }
        /** @see BrokerConfig#connectTimeout() */
        public Builder connectTimeout(Duration value) { connectTimeout = value; return this; }
        /** @see BrokerConfig#closeTimeout() */
        public Builder closeTimeout(Duration value) { closeTimeout = value; return this; }
        /** @see BrokerConfig#reconnectBackoffMax() */
        public Builder reconnectBackoffMax(Duration value) { reconnectBackoffMax = value; return this; }
        /** @see BrokerConfig#tcpNoDelay() */
        public Builder tcpNoDelay(boolean value) { tcpNoDelay = value; return this; }
        /** @see BrokerConfig#ioThreads() */
        public Builder ioThreads(int value) { ioThreads = value; return this; }
        /** @see BrokerConfig#transport() */
        public Builder transport(TransportKind value) { transport = value; return this; }

        /** Validates and builds the configuration. */
        public BrokerConfig build() {
            return new BrokerConfig(endpoints, connectionsPerEndpoint, maxInFlightPerConnection, requestTimeout,
                    connectTimeout, closeTimeout, reconnectBackoffMax, tcpNoDelay, ioThreads, transport);
        }
    }
}
