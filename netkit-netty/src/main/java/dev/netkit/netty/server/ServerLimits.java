package dev.netkit.netty.server;

import dev.netkit.core.limit.RateLimit;
import dev.netkit.netty.fleet.FleetConfig;
import dev.netkit.netty.wire.AnetWireFormat;
import java.util.Objects;

/**
 * Rate limits of a {@link FrameServer}: requests per second and bytes per second (request frames,
 * headers included), each server-wide, per client IP address (shared by all of that address's
 * connections) and per connection, each optional. Immutable.
 *
 * <p><b>Shaping</b> (the default): a connection whose frames run over a limit stops being read
 * until the tokens for them are earned, then resumes by itself (a timer on its event loop, never
 * a sleeping thread, never a queue: unread bytes stay in the kernel, so a client that ignores
 * backpressure finds its socket full). A server-wide limit stops each connection at its next
 * read until the shared bucket refills. A frame may exceed the burst (it is granted as a debt
 * and the connection waits for the excess). If one read would need more than
 * {@link dev.netkit.core.limit.TokenBucket#MAX_DELAY} of tokens, that connection is refused as
 * in policing. A pause counts toward {@link FrameServerConfig#readTimeout()} when a frame is half
 * received (the connection does not know the rate limiter paused it), so keep the longest pause,
 * one read's bytes over the rate, well below the read timeout.
 *
 * <p><b>Policing</b>: a frame over a limit is not started; the connection stops reading, answers
 * the requests it already started, then closes (reason {@code rate_limited}, counted in
 * {@link ServerStats#rateLimited()}). A bytes limit's burst must then hold the largest frame
 * ({@value #LARGEST_FRAME} bytes), or such a frame could never pass.
 *
 * @param requests              server-wide requests/s, or null
 * @param bytes                 server-wide bytes/s, or null
 * @param requestsPerConnection requests/s of each connection, or null
 * @param bytesPerConnection    bytes/s of each connection, or null
 * @param requestsPerClient     requests/s of each client IP address, or null
 * @param bytesPerClient        bytes/s of each client IP address, or null
 * @param policing              refuse (close) instead of delaying
 * @param fleetRequests         requests/s shared by every server (any process) naming the same
 *                              Redis key, or null; policing only (a frame without a fleet token is
 *                              refused as above); while Redis cannot be used each server admits
 *                              {@code 1/members} of it (see {@link dev.netkit.netty.fleet.FleetBucket})
 * @param fleet                 where the fleet limit lives; set exactly when {@code fleetRequests} is
 *
 * <p>Per-client buckets are kept for at most {@value #MAX_CLIENTS} addresses at once: an address
 * is tracked while it has a connection open and until its buckets are full again (so reconnecting
 * does not earn a fresh burst); a connection from a new address beyond that is refused
 * (counted in {@link ServerStats#connectionsRejected()}, logged).
 */
public record ServerLimits(RateLimit requests, RateLimit bytes, RateLimit requestsPerConnection,
                           RateLimit bytesPerConnection, RateLimit requestsPerClient, RateLimit bytesPerClient,
                           boolean policing, RateLimit fleetRequests, FleetConfig fleet) {
    /** The most client addresses whose per-client buckets are tracked at once. */
    public static final int MAX_CLIENTS = 65_536;
    /** The largest frame on the wire: the LEN field plus the largest LEN. */
    public static final int LARGEST_FRAME = AnetWireFormat.LENGTH_FIELD_SIZE + AnetWireFormat.MAX_LENGTH;

    private static final ServerLimits NONE = new ServerLimits(null, null, null, null, null, null, false, null, null);

    /** Checks that a policing bytes limit can pass the largest frame, and that a fleet limit is whole and polices. */
    public ServerLimits {
        if ((fleetRequests == null) != (fleet == null)) {
            throw new IllegalArgumentException("fleet: a fleet limit needs both its rate and its Redis configuration");
        }
        if (fleet != null && !policing) {
            throw new IllegalArgumentException("fleet: a fleet-wide limit polices (expected: policing mode; a server cannot "
                    + "wait for another process's tokens without holding reads it may never be granted)");
        }
        if (policing) {
            requireFrame(bytes);
            requireFrame(bytesPerConnection);
            requireFrame(bytesPerClient);
        }
    }

    /** Local limits only. */
    public ServerLimits(RateLimit requests, RateLimit bytes, RateLimit requestsPerConnection, RateLimit bytesPerConnection,
                        RateLimit requestsPerClient, RateLimit bytesPerClient, boolean policing) {
        this(requests, bytes, requestsPerConnection, bytesPerConnection, requestsPerClient, bytesPerClient, policing, null, null);
    }

    /** No limits (the default). */
    public static ServerLimits none() {
        return NONE;
    }

    /** Whether any limit is set. */
    public boolean any() {
        return requests != null || bytes != null || requestsPerConnection != null || bytesPerConnection != null
                || requestsPerClient != null || bytesPerClient != null || fleet != null;
    }

    /** A copy with the server-wide requests/s limit. */
    public ServerLimits withRequests(long perSecond, long burst) {
        return new ServerLimits(new RateLimit("requests/s", perSecond, burst), bytes, requestsPerConnection, bytesPerConnection,
                requestsPerClient, bytesPerClient, policing, fleetRequests, fleet);
    }

    /** A copy with the server-wide bytes/s limit. */
    public ServerLimits withBytes(long perSecond, long burst) {
        return new ServerLimits(requests, new RateLimit("bytes/s", perSecond, burst), requestsPerConnection, bytesPerConnection,
                requestsPerClient, bytesPerClient, policing, fleetRequests, fleet);
    }

    /** A copy with the per-connection requests/s limit. */
    public ServerLimits withRequestsPerConnection(long perSecond, long burst) {
        return new ServerLimits(requests, bytes, new RateLimit("requests/s per connection", perSecond, burst), bytesPerConnection,
                requestsPerClient, bytesPerClient, policing, fleetRequests, fleet);
    }

    /** A copy with the per-connection bytes/s limit. */
    public ServerLimits withBytesPerConnection(long perSecond, long burst) {
        return new ServerLimits(requests, bytes, requestsPerConnection, new RateLimit("bytes/s per connection", perSecond, burst),
                requestsPerClient, bytesPerClient, policing, fleetRequests, fleet);
    }

    /** A copy with the per-client-IP requests/s limit. */
    public ServerLimits withRequestsPerClient(long perSecond, long burst) {
        return new ServerLimits(requests, bytes, requestsPerConnection, bytesPerConnection,
                new RateLimit("requests/s per client", perSecond, burst), bytesPerClient, policing, fleetRequests, fleet);
    }

    /** A copy with the per-client-IP bytes/s limit. */
    public ServerLimits withBytesPerClient(long perSecond, long burst) {
        return new ServerLimits(requests, bytes, requestsPerConnection, bytesPerConnection, requestsPerClient,
                new RateLimit("bytes/s per client", perSecond, burst), policing, fleetRequests, fleet);
    }

    /** A copy with a fleet-wide requests/s limit; a fleet limit polices, so the copy polices. */
    public ServerLimits withFleet(long perSecond, long burst, FleetConfig value) {
        return new ServerLimits(requests, bytes, requestsPerConnection, bytesPerConnection, requestsPerClient, bytesPerClient,
                true, new RateLimit("fleet requests/s", perSecond, burst), value);
    }

    /** A copy that polices (true) or shapes (false). */
    public ServerLimits withPolicing(boolean value) {
        return new ServerLimits(requests, bytes, requestsPerConnection, bytesPerConnection, requestsPerClient, bytesPerClient,
                value, fleetRequests, fleet);
    }

    private static void requireFrame(RateLimit limit) {
        if (limit != null && limit.burst() < LARGEST_FRAME) {
            throw new IllegalArgumentException(limit.name() + ": burst " + limit.burst() + " (expected: >= " + LARGEST_FRAME
                    + " when policing: the largest frame could never pass a smaller burst)");
        }
    }

    @Override
    public String toString() {
        return any() ? "ServerLimits[" + (policing ? "policing" : "shaping") + java.util.stream.Stream.of(requests, bytes,
                requestsPerConnection, bytesPerConnection, requestsPerClient, bytesPerClient, fleetRequests).filter(Objects::nonNull).map(l -> ", " + l).reduce("", String::concat) + "]"
                : "ServerLimits[none]";
    }
}
