package dev.netkit.gateway.internal.tcp;

import dev.netkit.core.balance.EndpointState;
import dev.netkit.core.balance.Outcome;
import dev.netkit.core.balance.WeightedEndpoint;
import dev.netkit.core.error.NoEndpointsException;
import dev.netkit.netty.internal.tls.ClientTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import dev.netkit.core.endpoint.Endpoint;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/*
 * Design note. One client connection and the upstream connection made for it, both on the
 * client's event loop (the upstream Bootstrap is given that loop), so every field here is owned by
 * that one thread and nothing is shared or locked.
 *
 *   client ──Relay(client side)──► upstream          reads on one side are written to the other
 *   client ◄──Relay(upstream side)── upstream        and flushed once per read batch
 *
 * Life: accepted with autoRead off → pick → connect (a failed connect is retried on another
 * endpoint, up to MAX_ATTEMPTS, before any client byte was read, so nothing is lost or sent twice)
 * → optional PROXY v2 header → autoRead on for both. Backpressure: when a side's outbound buffer
 * passes its high-water mark, the other side stops reading until it drains (writability events).
 * Half-close: an input shut on one side becomes an output shutdown on the other after its pending
 * bytes; once both inputs are shut, or either side closes, both close after flushing. The balancer
 * is told exactly once: FAILURE per failed connect, and at the end SUCCESS with the connect time as
 * latency (the pick counted the connection outstanding until then).
 */
/** One proxied L4 connection: the client side, the upstream side, and their shared state. */
final class ProxiedConnection {
    static final int MAX_ATTEMPTS = 3;

    private final TcpProxyListener listener;
    private final TcpRoute route;
    final Channel client;
    private Channel upstream;
    private EndpointState endpoint;
    private TcpCounters.PerEndpoint endpointCounters;
    private int attempts;
    private List<Endpoint> failedEndpoints; // created on the first failed connect
    private long connectLatencyNanos = -1;
    private boolean clientInputShut;
    private boolean upstreamInputShut;
    private boolean finished;
    /** Client bytes read before the upstream exists (epoll reads on a peer's FIN even with autoRead off). */
    private final ArrayDeque<ByteBuf> early = new ArrayDeque<>();
    private final long idleTimeoutNanos;
    private long lastActivityNanos;
    private ScheduledFuture<?> idleTimer; // null once both sides are closed

    ProxiedConnection(TcpProxyListener listener, TcpRoute route, Channel client) {
        this.listener = listener;
        this.route = route;
        this.client = client;
        this.idleTimeoutNanos = listener.config().idleTimeout().toNanos();
    }

    /** Called once the client connection is active. */
    void start() {
        lastActivityNanos = System.nanoTime();
        idleTimer = client.eventLoop().schedule(this::checkIdle, idleTimeoutNanos, TimeUnit.NANOSECONDS);
        EndpointState first;
        try {
            first = route.pick(remoteAddress().getAddress(), System.nanoTime());
        } catch (NoEndpointsException e) {
            giveUp("no endpoint of cluster " + route.cluster() + " to connect to: " + e.getMessage());
            return;
        }
        connect(first);
    }

    private void connect(EndpointState target) {
        attempts++;
        long started = System.nanoTime();
        ClientTls tls = route.upstreamTls();
        Bootstrap bootstrap = listener.upstreamBootstrap().clone(client.eventLoop())
                .handler(tls == null ? new Relay(this, false, false) : new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) { // client bytes wait in the SslHandler until its handshake is done
                        ch.pipeline().addLast(tls.newHandler(ch.alloc(), target.endpoint().address()), new Relay(ProxiedConnection.this, false, false));
                    }
                });
        bootstrap.connect(TcpRoute.address(target)).addListener((ChannelFuture f) -> connected(f, target, started));
    }

    private void connected(ChannelFuture f, EndpointState target, long started) {
        long latency = System.nanoTime() - started;
        if (!f.isSuccess()) {
            route.balancer().finished(target, latency, Outcome.FAILURE);
            listener.counters().connectFailures.increment();
            if (!client.isActive()) {
                return; // the client left meanwhile
            }
            int tries = Math.min(MAX_ATTEMPTS, route.balancer().endpoints().size()); // no endpoint twice
            EndpointState next = attempts < tries ? pickUntried(target) : null;
            if (next == null) {
                giveUp("could not connect to " + target.endpoint().address() + " of cluster " + route.cluster()
                        + " after " + attempts + " attempt(s): " + f.cause());
                return;
            }
            listener.counters().connectRetries.increment();
            connect(next);
            return;
        }
        endpoint = target;
        connectLatencyNanos = latency;
        upstream = f.channel();
        endpointCounters = listener.counters().endpoint(target.endpoint().address());
        endpointCounters.connections.increment();
        if (!client.isActive()) { // the client left while we connected
            upstream.close();
            finish();
            return;
        }
        if (!route.connectionOpened(remoteAddress().getAddress(), target, System.nanoTime())) {
            listener.counters().stickyFull.increment();
        }
        if (listener.sendsProxyHeader()) {
            upstream.write(ProxyProtocolV2.header(upstream.alloc(), remoteAddress(),
                    (InetSocketAddress) client.localAddress()), upstream.voidPromise()); // flushed below
        }
        for (ByteBuf b; (b = early.poll()) != null; ) {
            countBytes(true, b.readableBytes());
            upstream.write(b, upstream.voidPromise());
        }
        upstream.flush();
        if (clientInputShut) {
            inputShutdown(true); // the client's FIN came before the upstream existed
        } else {
            client.config().setAutoRead(true);
        }
    }

    /** Keeps client bytes that arrive before the upstream is connected. */
    void holdEarly(ByteBuf bytes) {
        early.add(bytes);
    }

    /**
     * Another endpoint after {@code failed}, never one that already failed for this client: the
     * balancer's choice when it offers an untried one, else (a random strategy can keep offering an
     * endpoint that failed before, as {@code pickOther} avoids only the last) the first untried
     * member in service, so a live endpoint is never left untried while attempts remain.
     */
    private EndpointState pickUntried(EndpointState failed) {
        if (failedEndpoints == null) {
            failedEndpoints = new ArrayList<>(MAX_ATTEMPTS);
        }
        failedEndpoints.add(failed.endpoint().address());
        EndpointState next = route.pickOther(failed);
        if (next == null || !failedEndpoints.contains(next.endpoint().address())) {
            return next;
        }
        route.balancer().finished(next, 0, Outcome.NOT_COUNTED); // a pick given back unused
        for (WeightedEndpoint member : route.balancer().endpoints()) {
            if (!failedEndpoints.contains(member.address())) {
                EndpointState untried = route.balancer().pickIfInService(member.address());
                if (untried != null) {
                    return untried;
                }
            }
        }
        return null;
    }

    private void giveUp(String why) {
        listener.counters().noUpstream.increment();
        listener.warn("closing connection from " + client.remoteAddress() + ": " + why);
        client.close();
    }

    void warn(String what, Throwable cause) {
        listener.warn(what + " (client " + client.remoteAddress() + "): " + cause);
    }

    private InetSocketAddress remoteAddress() {
        return (InetSocketAddress) client.remoteAddress();
    }

    // ---- called by the two Relay handlers, on the event loop ----------------------------------

    /** The channel the bytes read on {@code fromClient}'s side go to, or null before it exists. */
    Channel peerOf(boolean fromClient) {
        return fromClient ? upstream : client;
    }

    void countBytes(boolean fromClient, int bytes) {
        lastActivityNanos = System.nanoTime();
        if (fromClient) {
            listener.counters().bytesFromClients.add(bytes);
            endpointCounters.bytesToUpstream.add(bytes);
        } else {
            listener.counters().bytesToClients.add(bytes);
            endpointCounters.bytesFromUpstream.add(bytes);
        }
    }

    boolean inputShut(boolean clientSide) {
        return clientSide ? clientInputShut : upstreamInputShut;
    }

    /** One side sent FIN: pass it on after its bytes; close when both have. */
    void inputShutdown(boolean clientSide) {
        if (clientSide) {
            clientInputShut = true;
        } else {
            upstreamInputShut = true;
        }
        Channel peer = peerOf(clientSide);
        if (clientInputShut && upstreamInputShut) {
            closeBothAfterFlush();
        } else if (peer == null) {
            return; // before the upstream exists: passed on once it is connected
        } else if (peer instanceof SocketChannel socket && socket.isActive()) {
            socket.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> socket.shutdownOutput());
        }
    }

    /**
     * Nothing moved either way for the idle timeout: both close (one timer per connection, re-armed
     * lazily). It runs until both sides are closed, not only the client: an upstream left flushing
     * to a peer that does not read would otherwise stay open for ever.
     */
    private void checkIdle() {
        idleTimer = null;
        if (bothClosed()) {
            return;
        }
        long idle = System.nanoTime() - lastActivityNanos;
        if (idle < idleTimeoutNanos) {
            idleTimer = client.eventLoop().schedule(this::checkIdle, idleTimeoutNanos - idle, TimeUnit.NANOSECONDS);
            return;
        }
        listener.counters().idleTimeouts.increment();
        client.close();
        if (upstream != null) {
            upstream.close();
        }
    }

    /** A side closed (or failed): the other one closes after what it still has to write. */
    void closed(boolean clientSide) {
        if (clientSide) {
            for (ByteBuf b; (b = early.poll()) != null; ) {
                b.release();
            }
        }
        Channel peer = peerOf(clientSide);
        if (peer != null && peer.isActive()) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        if (clientSide) {
            finish(); // the upstream side always closes the client side too, so this is the end
        }
        if (bothClosed() && idleTimer != null) {
            idleTimer.cancel(false); // a closed connection must not stay scheduled (and reachable) until the idle timeout
            idleTimer = null;
        }
    }

    private boolean bothClosed() {
        return !client.isOpen() && (upstream == null || !upstream.isOpen());
    }

    private void closeBothAfterFlush() {
        client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        upstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** Once, when the client side is gone: the connection stops counting against its endpoint. */
    private void finish() {
        if (finished || endpoint == null) {
            return;
        }
        finished = true;
        route.balancer().finished(endpoint, connectLatencyNanos, Outcome.SUCCESS);
        route.connectionClosed(remoteAddress().getAddress(), endpoint, System.nanoTime()); // the TTL runs from the last one
    }
}
