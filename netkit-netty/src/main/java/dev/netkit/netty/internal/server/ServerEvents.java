package dev.netkit.netty.internal.server;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.event.ConnectionClosed;
import dev.netkit.core.event.ConnectionOpened;
import dev.netkit.core.event.ConnectionRefused;
import dev.netkit.core.ip.IpRefusal;
import dev.netkit.core.event.LimitReached;
import dev.netkit.core.event.Side;
import dev.netkit.netty.internal.event.Emitter;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The server's events: connections accepted and closed (to the bus, when it listens) and limits
 * reached (to JFR and the bus). Thread-safe.
 */
public final class ServerEvents {
    private final Emitter emitter;
    private volatile Endpoint local; // known once bound

    public ServerEvents(Emitter emitter) {
        this.emitter = emitter;
    }

    /** Sets the server's own address, reported with {@link LimitReached.Limit#MAX_CONCURRENT_REQUESTS}. */
    public void bound(SocketAddress address) {
        this.local = endpointOf(address);
    }

    public void connectionOpened(SocketAddress peer) {
        if (emitter.wanted(ConnectionOpened.class)) {
            Endpoint e = endpointOf(peer);
            if (e != null) {
                emitter.bus(new ConnectionOpened(System.nanoTime(), e, Side.SERVER));
            }
        }
    }

    public void connectionClosed(SocketAddress peer, String reason) {
        if (emitter.wanted(ConnectionClosed.class)) {
            Endpoint e = endpointOf(peer);
            if (e != null) {
                emitter.bus(new ConnectionClosed(System.nanoTime(), e, Side.SERVER, reason));
            }
        }
    }

    public void maxConnectionsReached(SocketAddress peer, int limit, int current) {
        Endpoint e = endpointOf(peer);
        if (e != null) {
            emitter.rare(new LimitReached(System.nanoTime(), e, LimitReached.Limit.MAX_CONNECTIONS, limit, current));
        }
    }

    /** To JFR (when a recording wants it) and the bus (when it listens): no event object otherwise beyond JFR's probe. */
    public void connectionRefused(SocketAddress peer, IpRefusal reason) {
        Endpoint e = endpointOf(peer);
        if (e != null) {
            emitter.rare(new ConnectionRefused(System.nanoTime(), e, reason.label()));
        }
    }

    public void concurrencyLimitReached(int limit, int inUse) {
        Endpoint e = local;
        if (e != null) {
            emitter.rare(new LimitReached(System.nanoTime(), e, LimitReached.Limit.MAX_CONCURRENT_REQUESTS, limit, inUse));
        }
    }

    /** A connection was throttled ({@code delayMicros} > 0) or refused (0) by a rate limit; the caller bounds how often. */
    public void rateLimitReached(SocketAddress peer, long delayMicros) {
        Endpoint e = endpointOf(peer);
        if (e != null) {
            emitter.rare(new LimitReached(System.nanoTime(), e, LimitReached.Limit.RATE_LIMIT, delayMicros, 0));
        }
    }

    /** Null for addresses that are not host:port (cannot happen for TCP, but events must not throw). */
    private static Endpoint endpointOf(SocketAddress address) {
        return address instanceof InetSocketAddress a && a.getPort() > 0 ? new Endpoint(a.getHostString(), a.getPort()) : null;
    }
}
