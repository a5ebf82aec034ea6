package dev.netkit.netty.client;

import dev.netkit.core.internal.Checks;
import dev.netkit.core.limit.RateLimit;
import dev.netkit.netty.fleet.FleetConfig;

/**
 * A client-side rate limit on {@link Broker#send}: requests per second and bytes per second (each
 * optional; request frames, headers included). A send over the limit is delayed on a timer until
 * its tokens are earned, never by blocking the caller; at most {@code maxDelayedSends} wait at
 * once, and one more (or one whose wait would outlast its deadline) fails at once with
 * {@link dev.netkit.core.error.RateLimitedException}.
 *
 * <p>Optionally a <b>fleet</b> requests/s limit shared by every broker (in any process) naming the
 * same Redis key: a send finds a fleet token now or fails at once with {@code RateLimitedException}
 * (policing, as a gateway route's fleet limit; checked before the local limits, so a refused send
 * takes none of their tokens). While Redis cannot be used each broker admits its share,
 * {@code 1/members} of the rate (see {@link dev.netkit.netty.fleet.FleetBucket}).
 *
 * @param requests        requests per second and burst, or null for no request limit
 * @param bytes           bytes per second and burst, or null for no byte limit
 * @param maxDelayedSends sends waiting for tokens at once, at least 1
 * @param fleetRequests   the fleet's requests per second and burst (all members together), or null
 * @param fleet           where the fleet's limit lives in Redis; set exactly when {@code fleetRequests} is
 */
public record SendLimit(RateLimit requests, RateLimit bytes, int maxDelayedSends, RateLimit fleetRequests, FleetConfig fleet) {
    /** Validates: at least one limit, a fleet limit whole, and the bound. */
    public SendLimit {
        if ((fleetRequests == null) != (fleet == null)) {
            throw new IllegalArgumentException("sendLimit: a fleet limit needs both its rate and its Redis configuration");
        }
        if (requests == null && bytes == null && fleetRequests == null) {
            throw new IllegalArgumentException("sendLimit: neither requests, bytes nor a fleet rate limited (expected: at least one)");
        }
        Checks.positive("maxDelayedSends", maxDelayedSends);
    }

    /** Local limits only. */
    public SendLimit(RateLimit requests, RateLimit bytes, int maxDelayedSends) {
        this(requests, bytes, maxDelayedSends, null, null);
    }

    /** A requests-per-second limit with a burst of {@code burst} and up to 1,000 delayed sends. */
    public static SendLimit requestsPerSecond(long rate, long burst) {
        return new SendLimit(new RateLimit("broker send requests/s", rate, burst), null, 1_000);
    }

    /** Only a fleet-wide requests/s limit: {@code rate} and {@code burst} shared by every broker using {@code fleet}'s key. */
    public static SendLimit fleetRequestsPerSecond(long rate, long burst, FleetConfig fleet) {
        return new SendLimit(null, null, 1_000, new RateLimit("broker fleet requests/s", rate, burst), fleet);
    }

    /** A copy that also polices a fleet-wide requests/s limit. */
    public SendLimit withFleet(long rate, long burst, FleetConfig value) {
        return new SendLimit(requests, bytes, maxDelayedSends, new RateLimit("broker fleet requests/s", rate, burst), value);
    }
}
