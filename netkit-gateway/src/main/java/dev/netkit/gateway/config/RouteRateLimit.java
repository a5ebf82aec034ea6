package dev.netkit.gateway.config;

import dev.netkit.core.limit.RateLimit;
import dev.netkit.netty.fleet.FleetConfig;
import java.util.Objects;
import java.util.Optional;

/**
 * A route's {@code rate_limit}: requests per second with a burst, policed (a request over it is
 * not sent upstream: it fails as {@code rate_limited} and the client sees the listener's
 * {@code on_failure}), as Envoy's local rate limit does. With {@code fleet} the bucket's state is
 * in Redis and every gateway naming the same key shares the rate.
 *
 * @param perSecond {@code per_second}: 1..{@value dev.netkit.core.limit.TokenBucket#MAX_RATE}
 * @param burst     {@code burst}: requests that may pass at once after a quiet period;
 *                  default one second of the rate
 * @param fleet     {@code fleet: { redis, key, members, timeout, batch }}; empty = this gateway only
 */
public record RouteRateLimit(long perSecond, long burst, Optional<FleetConfig> fleet) {
    /** Validates the numbers (as {@link RateLimit}). */
    public RouteRateLimit {
        new RateLimit("rate_limit", perSecond, burst); // fields are not set yet in a compact constructor: the parameters
        Objects.requireNonNull(fleet, "fleet");
    }

    /** The bucket's configuration, named {@code name}. */
    public RateLimit toRateLimit(String name) {
        return new RateLimit(name, perSecond, burst);
    }
}
