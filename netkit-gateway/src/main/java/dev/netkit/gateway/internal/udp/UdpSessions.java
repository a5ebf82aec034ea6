package dev.netkit.gateway.internal.udp;

import dev.netkit.core.balance.BalancerStats;
import dev.netkit.core.balance.EndpointState;
import dev.netkit.core.balance.EndpointStats;
import dev.netkit.core.balance.EndpointStatus;
import dev.netkit.core.balance.Outcome;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.NoEndpointsException;
import dev.netkit.core.ip.IpPermit;
import dev.netkit.gateway.config.UdpListenerConfig;
import dev.netkit.gateway.internal.tcp.TcpRoute;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/*
 * Design note. One table per listening socket, confined to that socket's event loop: the client
 * side (ClientSocketHandler), every upstream socket of its sessions (UpstreamHandler, registered on
 * the same loop) and the sweep all run there, so the table, the sessions and their flags need no
 * lock. The only shared state is the listener's counters (LongAdders) and the session count
 * (an AtomicInteger: max_sessions bounds the listener, not one loop).
 *
 * Per datagram from a client: a HashMap lookup by its address (the InetSocketAddress Netty made
 * for it), then a write to the session's upstream without flush; upstreams written in a receive
 * batch are flushed once at its end. Per reply: a write to the listening socket, flushed at the
 * end of the upstream socket's read batch. An upstream socket reads with recvmmsg, twice as many
 * datagrams a wake-up as the listening socket (UpstreamSockets): under overload replies drain
 * first and the excess is dropped by the kernel at the listening socket, before any work. No clock is read per datagram: a session is marked
 * active, and the sweep (every idle_timeout / 4, between 10 ms and 1 s) turns marks into times, so
 * a session ends between idle_timeout and idle_timeout + one sweep period after its last datagram.
 *
 * A datagram can never meet a half-ended session: ending one (sweep, ICMP error, removed endpoint)
 * removes it from the map in the same event-loop task that closes its socket, so a datagram read
 * after that opens a new session (counted created) and one read before went out on the old one.
 *
 * The sweep also follows the route: a session whose endpoint is no longer a member of the
 * listener's current balancer (removed by a reload) ends at once; one whose endpoint is out of
 * service (unhealthy, ejected, drained) is marked stale, and the client's next datagram ends it and
 * opens a new session elsewhere, as Envoy's udp_proxy does (replies still in flight from the old
 * endpoint until then are delivered).
 */
/** The sessions of one listening socket of a udp listener; confined to that socket's event loop. */
final class UdpSessions {
    private static final long MIN_SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_SWEEP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final UdpProxyListener listener;
    private final UdpCounters counters;
    private final EventLoop loop;
    /**
     * Datagrams held per session while its upstream socket connects: the connect completes after
     * the receive batch that opened the session (registration is a task of the loop), and that
     * batch can bring up to a wake-up's worth of the client's datagrams; twice that, so a burst is
     * never cut at its start.
     */
    private final int maxPending;
    private final Map<InetSocketAddress, UdpSession> sessions = new HashMap<>();
    private final List<UdpSession> toFlush = new ArrayList<>();
    private Channel socket;
    private boolean socketFlushPending;
    private ScheduledFuture<?> sweep;
    private boolean closed;

    UdpSessions(UdpProxyListener listener, UdpCounters counters, EventLoop loop, int maxPending) {
        this.listener = listener;
        this.counters = counters;
        this.loop = loop;
        this.maxPending = maxPending;
    }

    EventLoop loop() {
        return loop;
    }

    /** The listening socket is registered: start sweeping. */
    void socket(Channel channel) {
        socket = channel;
        long period = sweepPeriodNanos(listener.config().idleTimeout().toNanos());
        sweep = loop.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
    }

    static long sweepPeriodNanos(long idleNanos) {
        return Math.max(MIN_SWEEP_NANOS, Math.min(MAX_SWEEP_NANOS, idleNanos / 4));
    }

    int size() {
        return sessions.size();
    }

    // ---- client → upstream ----------------------------------------------------------------------

    /** One datagram from a client; the caller releases {@code packet}. */
    void fromClient(DatagramPacket packet) {
        ByteBuf content = packet.content();
        int length = content.readableBytes();
        counters.packetsFromClients.increment();
        counters.bytesFromClients.add(length);
        UdpListenerConfig config = listener.config();
        if (length > config.maxDatagramSize()) {
            counters.drop(UdpDrop.OVERSIZE);
            return;
        }
        InetSocketAddress client = packet.sender();
        UdpSession s = sessions.get(client);
        if (s != null && s.stale) {
            end(s, Outcome.NOT_COUNTED, false); // its endpoint left service: rebalance now
            s = null;
        }
        if (s == null && (s = open(client, config)) == null) {
            return;
        }
        forward(s, content, length);
    }

    private void forward(UdpSession s, ByteBuf content, int length) {
        s.active = true;
        if (s.pending != null) {
            if (s.pending.size() >= maxPending) {
                counters.drop(UdpDrop.QUEUE_FULL);
            } else {
                s.pending.add(content.retain());
            }
            return;
        }
        if (!s.upstream.isWritable()) {
            counters.drop(UdpDrop.QUEUE_FULL);
            return;
        }
        s.upstream.write(content.retain(), s.upstream.voidPromise());
        counters.packetsToUpstreams.increment();
        counters.bytesToUpstreams.add(length);
        s.counters.packetsToUpstream.increment();
        s.counters.bytesToUpstream.add(length);
        if (!s.flushPending) {
            s.flushPending = true;
            toFlush.add(s);
        }
    }

    /** End of a receive batch on the listening socket: one flush per upstream written to. */
    void flushUpstreams() {
        for (int i = 0; i < toFlush.size(); i++) {
            UdpSession s = toFlush.get(i);
            s.flushPending = false;
            if (!s.ended) {
                s.upstream.flush();
            }
        }
        toFlush.clear();
    }

    private UdpSession open(InetSocketAddress client, UdpListenerConfig config) {
        IpPermit permit = listener.admit(client);
        if (permit == null) {
            return null;
        }
        if (!counters.tryOpenSession(config.maxSessions())) {
            permit.release();
            counters.drop(UdpDrop.MAX_SESSIONS);
            listener.warn("dropped a datagram from new client " + client + ": max_sessions " + config.maxSessions() + " reached");
            return null;
        }
        TcpRoute route = listener.route();
        long now = System.nanoTime();
        EndpointState endpoint;
        try {
            endpoint = route.pick(client.getAddress(), now);
        } catch (NoEndpointsException e) {
            counters.sessionsActive.decrementAndGet();
            permit.release();
            counters.drop(UdpDrop.NO_UPSTREAM);
            listener.warn("dropped a datagram from " + client + ": " + e.getMessage());
            return null;
        }
        Endpoint address = endpoint.endpoint().address();
        UdpSession s = new UdpSession(client, route, endpoint, counters.endpoint(address), permit, now);
        ChannelFuture connect;
        try {
            connect = listener.upstreamBootstrap().clone(loop).handler(new UpstreamHandler(this, s)).connect(TcpRoute.address(endpoint));
        } catch (RuntimeException e) { // e.g. no file descriptor left
            counters.drop(UdpDrop.SOCKET_ERROR);
            closeSlot(s, Outcome.NOT_COUNTED);
            listener.warn("dropped a datagram from " + client + ": cannot open an upstream socket: " + e);
            return null;
        }
        s.upstream = connect.channel();
        sessions.put(client, s);
        counters.sessionsCreated.increment();
        s.counters.sessions.increment();
        if (!connect.isDone()) {
            s.pending = new ArrayDeque<>();
        }
        connect.addListener(f -> connected(s, f.isSuccess(), f.cause()));
        return s;
    }

    private void connected(UdpSession s, boolean success, Throwable cause) {
        if (s.ended) {
            s.releasePending();
            return;
        }
        if (!success) {
            counters.drop(UdpDrop.SOCKET_ERROR);
            listener.warn("udp session of " + s.client + " to " + s.endpoint.endpoint().address() + ": cannot connect: " + cause);
            end(s, Outcome.FAILURE, false);
            return;
        }
        ArrayDeque<ByteBuf> held = s.pending;
        s.pending = null;
        if (held != null) {
            for (ByteBuf b : held) {
                forward(s, b, b.readableBytes());
                b.release(); // forward took its own reference
            }
            flushUpstreams();
        }
    }

    // ---- upstream → client ----------------------------------------------------------------------

    /** A reply on {@code s}'s upstream socket; the caller releases {@code content}. */
    void fromUpstream(UdpSession s, ByteBuf content) {
        if (s.ended) {
            return;
        }
        int length = content.readableBytes();
        s.active = true;
        if (s.firstReplyNanos < 0) {
            s.firstReplyNanos = System.nanoTime() - s.createdNanos;
        }
        s.counters.packetsFromUpstream.increment();
        s.counters.bytesFromUpstream.add(length);
        if (length > listener.config().maxDatagramSize()) {
            counters.drop(UdpDrop.OVERSIZE);
            return;
        }
        if (!socket.isWritable()) {
            counters.drop(UdpDrop.QUEUE_FULL);
            return;
        }
        socket.write(new DatagramPacket(content.retain(), s.client), socket.voidPromise());
        counters.packetsToClients.increment();
        counters.bytesToClients.add(length);
        socketFlushPending = true;
    }

    /** End of an upstream socket's read batch: the replies leave the listening socket. */
    void flushSocket() {
        if (socketFlushPending) {
            socketFlushPending = false;
            socket.flush();
        }
    }

    /** The upstream socket reported an error (an ICMP port-unreachable, typically): the session ends, counted. */
    void upstreamFailed(UdpSession s, Throwable cause) {
        if (s.ended) {
            return;
        }
        boolean unreachable = cause instanceof java.net.PortUnreachableException
                || (cause.getMessage() != null && cause.getMessage().contains("Connection refused"));
        counters.drop(unreachable ? UdpDrop.UPSTREAM_UNREACHABLE : UdpDrop.UPSTREAM_ERROR);
        listener.warn("udp session of " + s.client + " to " + s.endpoint.endpoint().address() + " ended: "
                + (unreachable ? "port unreachable" : cause.toString()));
        end(s, Outcome.FAILURE, false);
    }

    /** The listening socket reported an error (a failed send, typically): counted; it stays open. */
    void listenerSocketError(Throwable cause) {
        counters.drop(UdpDrop.SOCKET_ERROR);
        listener.warn("listening socket " + socket.localAddress() + " reported an error (it stays open): " + cause);
    }

    /** The upstream socket closed without us (it should not): the session ends. */
    void upstreamClosed(UdpSession s) {
        if (!s.ended) {
            end(s, Outcome.NOT_COUNTED, false);
        }
    }

    // ---- ending ---------------------------------------------------------------------------------

    /**
     * Ends a session: out of the map first (the next datagram of its client opens a new one), its
     * socket closed, its pick reported (SUCCESS with the time to the first reply when one came;
     * {@code outcome} otherwise), its slot and IP permit given back. Exactly once.
     */
    private void end(UdpSession s, Outcome outcome, boolean expired) {
        if (s.ended) {
            return;
        }
        s.ended = true;
        sessions.remove(s.client, s);
        if (s.upstream != null) {
            s.upstream.close();
        }
        s.releasePending();
        (expired ? counters.sessionsExpired : counters.sessionsEnded).increment();
        closeSlot(s, outcome);
    }

    private void closeSlot(UdpSession s, Outcome outcome) {
        counters.sessionsActive.decrementAndGet();
        s.permit.release();
        if (outcome == Outcome.FAILURE) {
            s.route.balancer().finished(s.endpoint, 0, Outcome.FAILURE);
        } else if (s.firstReplyNanos >= 0) {
            s.route.balancer().finished(s.endpoint, s.firstReplyNanos, Outcome.SUCCESS);
        } else {
            s.route.balancer().finished(s.endpoint, 0, Outcome.NOT_COUNTED); // one-way traffic says nothing
        }
    }

    /** Expires idle sessions, ends those of removed endpoints, marks those of endpoints out of service. */
    void sweep() {
        if (closed || sessions.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        long idle = listener.config().idleTimeout().toNanos();
        TcpRoute current = listener.route();
        Map<Endpoint, EndpointStatus> status = statuses(current.balancer().stats());
        List<UdpSession> ending = new ArrayList<>();
        for (UdpSession s : sessions.values()) {
            if (s.active) {
                s.active = false;
                s.lastActiveNanos = now;
            }
            EndpointStatus st = status.get(s.endpoint.endpoint().address());
            if (now - s.lastActiveNanos >= idle || st == null) {
                ending.add(s);
            } else if (st != EndpointStatus.HEALTHY && st != EndpointStatus.SLOW_START) {
                s.stale = true; // in panic every non-drained member is picked: statuses() left those out of this
            } else {
                s.stale = false;
            }
        }
        for (UdpSession s : ending) {
            boolean expired = now - s.lastActiveNanos >= idle;
            end(s, Outcome.NOT_COUNTED, expired);
        }
    }

    /** Each member's status; in panic every member but drained ones counts as in service. */
    private static Map<Endpoint, EndpointStatus> statuses(BalancerStats stats) {
        Map<Endpoint, EndpointStatus> m = new HashMap<>();
        for (EndpointStats e : stats.endpoints()) {
            EndpointStatus st = e.status();
            m.put(e.address(), stats.panic() && st != EndpointStatus.DRAINED ? EndpointStatus.HEALTHY : st);
        }
        return m;
    }

    /** The listener stops: every session ends; nothing more is swept. On the loop. */
    void closeAll() {
        closed = true;
        if (sweep != null) {
            sweep.cancel(false);
        }
        for (UdpSession s : List.copyOf(sessions.values())) {
            end(s, Outcome.NOT_COUNTED, false);
        }
    }
}
