package dev.netkit.gateway.internal.udp;

import dev.netkit.core.balance.EndpointState;
import dev.netkit.core.ip.IpPermit;
import dev.netkit.gateway.internal.tcp.TcpRoute;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * One client address's session: the connected upstream socket its datagrams go to, and what the
 * balancer and the idle sweep need to know. Confined to the event loop of its {@link UdpSessions}.
 */
final class UdpSession {
    final InetSocketAddress client;
    final TcpRoute route;
    final EndpointState endpoint;
    final UdpCounters.PerEndpoint counters;
    final IpPermit permit;
    final long createdNanos;
    Channel upstream;
    /** A datagram passed either way since the last sweep. */
    boolean active = true;
    /** When the sweep last saw it active. */
    long lastActiveNanos;
    /** Its endpoint left service: the client's next datagram opens a new session. */
    boolean stale;
    /** Nanoseconds from the session's start to its first reply; -1 until one came. */
    long firstReplyNanos = -1;
    /** Queued in its table's list of upstreams to flush at the end of the receive batch. */
    boolean flushPending;
    boolean ended;
    ArrayDeque<ByteBuf> pending; // null unless the upstream is still connecting

    UdpSession(InetSocketAddress client, TcpRoute route, EndpointState endpoint, UdpCounters.PerEndpoint counters,
               IpPermit permit, long nowNanos) {
        this.client = client;
        this.route = route;
        this.endpoint = endpoint;
        this.counters = counters;
        this.permit = permit;
        this.createdNanos = nowNanos;
        this.lastActiveNanos = nowNanos;
    }

    /** Releases the datagrams still held for a connect that never completed. */
    void releasePending() {
        if (pending != null) {
            pending.forEach(ByteBuf::release);
            pending = null;
        }
    }
}
