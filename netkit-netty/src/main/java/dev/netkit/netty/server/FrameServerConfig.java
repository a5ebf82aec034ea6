package dev.netkit.netty.server;

import static dev.netkit.core.internal.Checks.inRange;
import static dev.netkit.core.internal.Checks.notNegative;
import static dev.netkit.core.internal.Checks.positive;

import dev.netkit.core.ip.IpPolicy;
import dev.netkit.netty.tls.TlsConfig;
import dev.netkit.netty.transport.IoThreads;
import dev.netkit.netty.transport.TransportKind;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable configuration of a {@link FrameServer}. Build one with {@link #builder()}; every
 * value is validated at construction with a message naming the field and the value.
 *
 * @param host                  address to bind; default {@code 127.0.0.1} (opt in to exposing the
 *                              server with {@code 0.0.0.0})
 * @param port                  port to bind, 0 for any free port; default 7070
 * @param readTimeout           how long one frame may take to arrive once its first byte came
 *                              (slow-loris guard), counting only time the server is reading: while
 *                              it paused reading (concurrency limit, unwritable socket) the clock
 *                              stops and restarts on resume; default 10 s, never infinite
 * @param idleTimeout           a connection with nothing read or written and no request in flight
 *                              for this long is closed; default 5 min
 * @param writeTimeout          a connection whose peer does not read its responses (socket stays
 *                              unwritable) for this long is closed; default 30 s
 * @param maxConnections        connections beyond this are accepted and closed at once (the client
 *                              reads end-of-stream); default 10,000
 * @param maxConcurrentRequests requests handled at once by async and blocking handlers across the
 *                              server; when reached, sockets stop being read until one completes;
 *                              default 10,000
 * @param maxInFlightPerConnection requests of one connection handled at once; when reached, that
 *                              connection is not read until one completes (a proxy's bound per
 *                              client); default 10,000
 * @param tcpKeepAlive          SO_KEEPALIVE on accepted connections; default true
 * @param tcpNoDelay            TCP_NODELAY on accepted connections; default true
 * @param shutdownTimeout       how long {@link FrameServer#stop()} waits for in-flight requests
 *                              before closing connections anyway; default 10 s
 * @param ioThreads             event loop threads; default half the processors, at least one
 * @param transport             native epoll or NIO; default {@link TransportKind#AUTO}
 * @param ipPolicy              which clients may connect, by IP address, and the per-IP limits: a
 *                              refused client is accepted and closed at once, before anything is
 *                              read (counted in {@link ServerStats#ipRefusals()}); default
 *                              {@link IpPolicy#allowAll()}. Replace it while running with
 *                              {@link FrameServer#ipPolicy(IpPolicy)}
 * @param limits                requests/s and bytes/s limits, server-wide and per connection,
 *                              shaping (stop reading until tokens return) or policing (close);
 *                              default {@link ServerLimits#none()}
 * @param tls                   TLS on the listening socket; default {@link TlsConfig#none()}
 *                              (plaintext: a TLS ClientHello arriving is recognised, closed and
 *                              counted as {@code tls_on_plaintext_port}). With TLS, requests are
 *                              read only once the handshake completed; see {@link TlsConfig} and
 *                              {@link FrameServer#reloadTls()}
 */
public record FrameServerConfig(
        String host,
        int port,
        Duration readTimeout,
        Duration idleTimeout,
        Duration writeTimeout,
        int maxConnections,
        int maxConcurrentRequests,
        int maxInFlightPerConnection,
        boolean tcpKeepAlive,
        boolean tcpNoDelay,
        Duration shutdownTimeout,
        int ioThreads,
        TransportKind transport,
        IpPolicy ipPolicy,
        ServerLimits limits,
        TlsConfig tls) {

    /** Validates every field. */
    public FrameServerConfig {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host: '" + host + "' (expected: a host name or IP address)");
        }
        inRange("port", port, 0, 65_535);
        positive("readTimeout", readTimeout);
        positive("idleTimeout", idleTimeout);
        positive("writeTimeout", writeTimeout);
        positive("maxConnections", maxConnections);
        positive("maxConcurrentRequests", maxConcurrentRequests);
        positive("maxInFlightPerConnection", maxInFlightPerConnection);
        notNegative("shutdownTimeout", shutdownTimeout);
        positive("ioThreads", ioThreads);
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(ipPolicy, "ipPolicy");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(tls, "tls").checkServer();
    }

    /** The defaults described on each component. */
    public static FrameServerConfig defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Mutable builder for {@link FrameServerConfig}; {@link #build()} validates. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 7070;
        private Duration readTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofMinutes(5);
        private Duration writeTimeout = Duration.ofSeconds(30);
        private int maxConnections = 10_000;
        private int maxConcurrentRequests = 10_000;
        private int maxInFlightPerConnection = 10_000;
        private boolean tcpKeepAlive = true;
        private boolean tcpNoDelay = true;
        private Duration shutdownTimeout = Duration.ofSeconds(10);
        private int ioThreads = IoThreads.defaultCount();
        private TransportKind transport = TransportKind.AUTO;
        private IpPolicy ipPolicy = IpPolicy.allowAll();
        private ServerLimits limits = ServerLimits.none();
        private TlsConfig tls = TlsConfig.none();

        private Builder() {}

        private Builder(FrameServerConfig c) {
            host = c.host;
            port = c.port;
            readTimeout = c.readTimeout;
            idleTimeout = c.idleTimeout;
            writeTimeout = c.writeTimeout;
            maxConnections = c.maxConnections;
            maxConcurrentRequests = c.maxConcurrentRequests;
            maxInFlightPerConnection = c.maxInFlightPerConnection;
            tcpKeepAlive = c.tcpKeepAlive;
            tcpNoDelay = c.tcpNoDelay;
            shutdownTimeout = c.shutdownTimeout;
            ioThreads = c.ioThreads;
            transport = c.transport;
            ipPolicy = c.ipPolicy;
            limits = c.limits;
            tls = c.tls;
        }

        /** @see FrameServerConfig#host() */
        public Builder host(String value) { host = value; return this; }
        /** @see FrameServerConfig#port() */
        public Builder port(int value) { port = value; return this; }
        /** @see FrameServerConfig#readTimeout() */
        public Builder readTimeout(Duration value) { readTimeout = value; return this; }
        /** @see FrameServerConfig#idleTimeout() */
        public Builder idleTimeout(Duration value) { idleTimeout = value; return this; }
        /** @see FrameServerConfig#writeTimeout() */
        public Builder writeTimeout(Duration value) { writeTimeout = value; return this; }
        /** @see FrameServerConfig#maxConnections() */
        public Builder maxConnections(int value) { maxConnections = value; return this; }
        /** @see FrameServerConfig#maxConcurrentRequests() */
        public Builder maxConcurrentRequests(int value) { maxConcurrentRequests = value; return this; }
        /** @see FrameServerConfig#maxInFlightPerConnection() */
        public Builder maxInFlightPerConnection(int value) { maxInFlightPerConnection = value; return this; }
        /** @see FrameServerConfig#tcpKeepAlive() */
        public Builder tcpKeepAlive(boolean value) { tcpKeepAlive = value; return this; }
        /** @see FrameServerConfig#tcpNoDelay() */
        public Builder tcpNoDelay(boolean value) { tcpNoDelay = value; return this; }
        /** @see FrameServerConfig#shutdownTimeout() */
        public Builder shutdownTimeout(Duration value) { shutdownTimeout = value; return this; }
        /** @see FrameServerConfig#ioThreads() */
        public Builder ioThreads(int value) { ioThreads = value; return this; }
        /** @see FrameServerConfig#transport() */
        public Builder transport(TransportKind value) { transport = value; return this; }
        /** @see FrameServerConfig#ipPolicy() */
        public Builder ipPolicy(IpPolicy value) { ipPolicy = value; return this; }
        /** @see FrameServerConfig#tls() */
        public Builder tls(TlsConfig value) { tls = value; return this; }

        /** @see FrameServerConfig#limits() */
        public Builder limits(ServerLimits value) { limits = value; return this; }

        /** Validates and builds the configuration. */
        public FrameServerConfig build() {
            return new FrameServerConfig(host, port, readTimeout, idleTimeout, writeTimeout, maxConnections,
                    maxConcurrentRequests, maxInFlightPerConnection, tcpKeepAlive, tcpNoDelay, shutdownTimeout, ioThreads, transport,
                    ipPolicy, limits, tls);
        }
    }
}
