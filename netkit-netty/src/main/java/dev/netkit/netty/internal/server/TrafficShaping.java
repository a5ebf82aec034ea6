package dev.netkit.netty.internal.server;

import dev.netkit.core.internal.OncePerInterval;
import dev.netkit.core.limit.LimitChain;
import dev.netkit.core.limit.RateLimit;
import dev.netkit.core.limit.TokenBucket;
import dev.netkit.core.time.Ticker;
import dev.netkit.netty.fleet.FleetBucket;
import dev.netkit.netty.fleet.FleetStats;
import dev.netkit.netty.transport.IoGroup;
import dev.netkit.netty.server.ServerLimits;
import io.netty.channel.ChannelHandlerContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The server's rate limits: the server-wide buckets, the per-client table ({@link ClientBuckets}),
 * the fleet bucket (policing only), the per-connection configuration, and the
 * one place where a connection's autoRead is decided. {@link ServerConnection} pauses and resumes
 * reading for its own reasons through {@link #autoRead}; a {@link ReadShaper} (present only when
 * a limit is set) pauses it for tokens; the socket is read only when neither holds it. Without
 * limits, {@link #autoRead} is the plain setter. Thread-safe (buckets are lock-free; the
 * per-connection state lives in the connection's ReadShaper, on its event loop).
 */
public final class TrafficShaping {
    private static final long EVENT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ServerLimits limits;
    private final Ticker ticker;
    private final TokenBucket globalRequests; // null: none
    private final TokenBucket globalBytes;    // null: none
    private final ClientBuckets clients;      // null: no per-client limit
    private volatile FleetBucket fleet;       // null: no fleet limit (set by startFleet once the loops exist)
    private final ServerCounters counters;
    private final ServerEvents events;
    private final OncePerInterval eventGate; // at most one LimitReached a second

    public TrafficShaping(ServerLimits limits, Ticker ticker, ServerCounters counters, ServerEvents events) {
        this.limits = limits;
        this.ticker = ticker;
        this.counters = counters;
        this.events = events;
        this.globalRequests = limits.requests() == null ? null : new TokenBucket(limits.requests(), ticker);
        this.globalBytes = limits.bytes() == null ? null : new TokenBucket(limits.bytes(), ticker);
        this.clients = limits.requestsPerClient() == null && limits.bytesPerClient() == null ? null
                : new ClientBuckets(limits.requestsPerClient(), limits.bytesPerClient(), ServerLimits.MAX_CLIENTS, ticker);
        this.eventGate = OncePerInterval.dueNow(EVENT_INTERVAL_NANOS, ticker.nanoTime());
    }

    /** Starts the fleet limit's Redis connection on {@code io} (nothing without one); call once, before accepting. */
    public void startFleet(IoGroup io) {
        if (limits.fleet() != null) {
            fleet = FleetBucket.start(limits.fleetRequests(), limits.fleet(), io, ticker);
        }
    }

    /** The fleet limit's counters, or null without one. */
    public FleetStats fleetStats() {
        FleetBucket f = fleet;
        return f == null ? null : f.stats();
    }

    /** Closes the fleet limit's Redis connection, if any. */
    public void close() {
        FleetBucket f = fleet;
        if (f != null) {
            f.close();
        }
    }

    /** A fleet token for one frame (policing); true without a fleet limit. */
    boolean fleetAdmits() {
        FleetBucket f = fleet;
        return f == null || f.tryAcquire();
    }

    /** Whether connections get a {@link ReadShaper}. */
    public boolean active() {
        return limits.any();
    }

    /**
     * A new connection's shaper (call only when {@link #active()}), or null when its client's
     * address cannot be tracked: {@link ServerLimits#MAX_CLIENTS} other addresses are (refuse it).
     */
    public ReadShaper newShaper(SocketAddress peer) {
        ClientBuckets.Entry client = null;
        Runnable release = null;
        if (clients != null && peer instanceof InetSocketAddress inet && inet.getAddress() != null) {
            InetAddress address = inet.getAddress();
            client = clients.pin(address);
            if (client == null) {
                return null;
            }
            ClientBuckets.Entry pinned = client;
            release = () -> clients.unpin(address, pinned);
        }
        return new ReadShaper(this, chain(limits.requestsPerConnection(), client == null ? null : client.requests, globalRequests),
                chain(limits.bytesPerConnection(), client == null ? null : client.bytes, globalBytes), limits.policing(), release);
    }

    /** What {@link #newShaper} refusing a connection means, for its log line. */
    public String clientTableFull() {
        return "per-client rate limits track " + clients.size() + " client addresses (limit " + clients.maxClients() + ")";
    }

    private LimitChain chain(RateLimit perConnection, TokenBucket perClient, TokenBucket global) {
        List<TokenBucket> buckets = new ArrayList<>(3);
        if (perConnection != null) {
            buckets.add(new TokenBucket(perConnection, ticker)); // narrowest first: it refuses most, so fewer refunds
        }
        if (perClient != null) {
            buckets.add(perClient);
        }
        if (global != null) {
            buckets.add(global);
        }
        return buckets.isEmpty() ? null : new LimitChain(buckets);
    }

    /**
     * Sets whether the connection wants to read ({@link ServerConnection}'s own pauses); the socket
     * is read only if its shaper does not hold it either.
     */
    public void autoRead(ChannelHandlerContext ctx, boolean on) {
        ReadShaper shaper = active() ? ctx.pipeline().get(ReadShaper.class) : null;
        if (shaper == null) {
            ctx.channel().config().setAutoRead(on);
        } else {
            shaper.ownerWantsRead(on);
        }
    }

    long now() {
        return ticker.nanoTime();
    }

    ServerCounters counters() {
        return counters;
    }

    /** A connection was paused or refused: told at most once a second per server. */
    void limitReached(SocketAddress peer, long delayNanos) {
        if (eventGate.tryAcquire(ticker.nanoTime())) {
            events.rateLimitReached(peer, TimeUnit.NANOSECONDS.toMicros(delayNanos));
        }
    }
}
