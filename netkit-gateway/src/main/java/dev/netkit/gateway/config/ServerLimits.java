package dev.netkit.gateway.config;

import dev.netkit.netty.server.FrameServerConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * The client-side limits and timeouts of an anet listener: the {@link FrameServerConfig} options
 * (same defaults) plus the requests in flight per client connection. Written flat in the listener
 * ({@code max_connections: 1000}, {@code read_timeout: 5s} …).
 *
 * @param maxConnections        {@code max_connections}: client connections beyond this are accepted
 *                              and closed at once; default 10,000
 * @param maxInFlight           {@code max_in_flight}: requests of one client connection in flight
 *                              through the gateway at once; beyond it the gateway stops reading that
 *                              connection until one completes (TCP backpressure); default
 *                              {@value #DEFAULT_MAX_IN_FLIGHT}
 * @param maxConcurrentRequests {@code max_concurrent_requests}: requests in flight across the
 *                              listener; beyond it every client is paused; default 10,000
 * @param readTimeout           {@code read_timeout}: a started frame must arrive within it; default 10 s
 * @param idleTimeout           {@code idle_timeout}: a connection with nothing read, written or in
 *                              flight this long is closed; default 5 min
 * @param writeTimeout          {@code write_timeout}: a client not reading its answers this long is
 *                              closed; default 30 s
 * @param shutdownTimeout       {@code shutdown_timeout}: how long a drain waits for requests in
 *                              flight; default 10 s
 * @param tcpKeepAlive          {@code tcp_keep_alive}: SO_KEEPALIVE; default true
 * @param tcpNoDelay            {@code tcp_no_delay}: TCP_NODELAY; default true
 */
public record ServerLimits(
        int maxConnections,
        int maxInFlight,
        int maxConcurrentRequests,
        Duration readTimeout,
        Duration idleTimeout,
        Duration writeTimeout,
        Duration shutdownTimeout,
        boolean tcpKeepAlive,
        boolean tcpNoDelay) {

    /** The default {@code max_in_flight}: the broker's per-connection default, so one client connection fits one upstream one. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 256;
    /** The largest {@code max_in_flight}. */
    public static final int MAX_IN_FLIGHT_LIMIT = 65_536;

    /** Validates every field by building the server configuration it maps to. */
    public ServerLimits {
        if (maxInFlight < 1 || maxInFlight > MAX_IN_FLIGHT_LIMIT) {
            throw new IllegalArgumentException("maxInFlight: " + maxInFlight + " (expected: 1.." + MAX_IN_FLIGHT_LIMIT + ")");
        }
        Objects.requireNonNull(readTimeout, "readTimeout");
        toServerConfig(new BindAddress("127.0.0.1", 0), maxConnections, maxConcurrentRequests, readTimeout, idleTimeout,
                writeTimeout, shutdownTimeout, tcpKeepAlive, tcpNoDelay);
    }

    /** {@link FrameServerConfig}'s defaults, and {@value #DEFAULT_MAX_IN_FLIGHT} in flight per connection. */
    public static ServerLimits defaults() {
        FrameServerConfig d = FrameServerConfig.defaults();
        return new ServerLimits(d.maxConnections(), DEFAULT_MAX_IN_FLIGHT, d.maxConcurrentRequests(), d.readTimeout(),
                d.idleTimeout(), d.writeTimeout(), d.shutdownTimeout(), d.tcpKeepAlive(), d.tcpNoDelay());
    }

    /**
     * The configuration of the {@code FrameServer} serving a listener's clients (I/O threads and
     * transport: the library's defaults; the gateway runtime may override them).
     */
    public FrameServerConfig frameServerConfig(BindAddress bind) {
        return toServerConfig(bind, maxConnections, maxConcurrentRequests, readTimeout, idleTimeout, writeTimeout,
                shutdownTimeout, tcpKeepAlive, tcpNoDelay);
    }

    private static FrameServerConfig toServerConfig(BindAddress bind, int maxConnections, int maxConcurrentRequests,
            Duration readTimeout, Duration idleTimeout, Duration writeTimeout, Duration shutdownTimeout,
            boolean tcpKeepAlive, boolean tcpNoDelay) {
        return FrameServerConfig.builder()
                .host(bind.host()).port(bind.port())
                .maxConnections(maxConnections).maxConcurrentRequests(maxConcurrentRequests)
                .readTimeout(readTimeout).idleTimeout(idleTimeout).writeTimeout(writeTimeout)
                .shutdownTimeout(shutdownTimeout).tcpKeepAlive(tcpKeepAlive).tcpNoDelay(tcpNoDelay)
                .build();
    }
}
