package dev.netkit.gateway.config;

import static dev.netkit.core.internal.Checks.positive;

import dev.netkit.core.ip.IpPolicy;
import dev.netkit.netty.tls.TlsConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * A UDP listener ({@code protocol: udp}): each client address ({@code ip:port}) gets a session, one
 * connected upstream socket to an endpoint of {@code cluster} chosen when the session starts;
 * datagrams are relayed unchanged both ways, the upstream's replies leave from the listener's own
 * socket. A session ends after {@code idleTimeout} without a datagram either way.
 *
 * @param name            unique in the file
 * @param bind            where it binds
 * @param cluster         the name of a cluster of the same file
 * @param lb              how a session's endpoint is chosen; default {@link LbPolicy#SOURCE_IP_HASH}
 *                        (a client IP keeps its endpoint while the endpoints in service stay the same)
 * @param idleTimeout     a session without a datagram either way this long ends; default
 *                        {@value #DEFAULT_IDLE_TIMEOUT_SECONDS} s
 * @param maxSessions     sessions open at once; a new client's datagrams beyond it are dropped and
 *                        counted ({@code max_sessions}); default {@value #DEFAULT_MAX_SESSIONS}
 * @param maxDatagramSize datagrams larger than this, either way, are dropped and counted
 *                        ({@code oversize}); default {@value #DEFAULT_MAX_DATAGRAM_SIZE}, at most 65,507
 * @param health          the UDP probe of the listener's active health checks (with the cluster's
 *                        {@code health} timing); {@link UdpHealthConfig#NONE} = no active checks
 * @param socketBuffers   {@code SO_RCVBUF}/{@code SO_SNDBUF} of the listening and the upstream sockets
 *                        ({@code socket_buffers}); default {@link UdpSocketBuffers#DEFAULTS}
 * @param ipPolicy        which clients it serves ({@code ip_policy}); per-IP limits count sessions
 *                        ({@code max_connections_per_ip}: sessions open at once per client IP,
 *                        {@code max_new_connections_per_second_per_ip}: new sessions per second)
 */
public record UdpListenerConfig(
        String name,
        BindAddress bind,
        String cluster,
        LbPolicy lb,
        Duration idleTimeout,
        int maxSessions,
        int maxDatagramSize,
        UdpHealthConfig health,
        UdpSocketBuffers socketBuffers,
        IpPolicy ipPolicy) implements ListenerConfig {

    /** The default {@code idle_timeout}, in seconds. */
    public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 60;
    /** The default {@code max_sessions}. */
    public static final int DEFAULT_MAX_SESSIONS = 10_000;
    /** The default {@code max_datagram_size}. */
    public static final int DEFAULT_MAX_DATAGRAM_SIZE = 2048;
    /** The largest UDP payload over IPv4. */
    public static final int MAX_DATAGRAM_SIZE_LIMIT = 65_507;

    /** Validates every field. */
    public UdpListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(lb, "lb");
        if (lb == LbPolicy.STICKY) {
            throw new IllegalArgumentException("lb: sticky is for tcp listeners (a udp session already keeps its endpoint)");
        }
        positive("idleTimeout", idleTimeout);
        positive("maxSessions", maxSessions);
        if (maxDatagramSize < 1 || maxDatagramSize > MAX_DATAGRAM_SIZE_LIMIT) {
            throw new IllegalArgumentException("maxDatagramSize: " + maxDatagramSize + " (expected: 1.." + MAX_DATAGRAM_SIZE_LIMIT + ")");
        }
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(socketBuffers, "socketBuffers");
        Objects.requireNonNull(ipPolicy, "ipPolicy");
    }

    /** Always {@link TlsConfig#none()}: datagrams are relayed as they come (DTLS is not supported). */
    @Override
    public TlsConfig tls() {
        return TlsConfig.none();
    }

    @Override
    public Protocol protocol() {
        return Protocol.UDP;
    }
}
