package dev.netkit.gateway.config;

import java.util.Objects;
import java.util.Optional;

/**
 * One route of an anet listener: requests matching {@code match} go to {@code cluster}. Routes are
 * tried in order, the first match wins; a route without {@code match} matches every request (the
 * catch-all, which must be last).
 *
 * @param match      the condition, or empty for the catch-all
 * @param cluster    the name of a cluster of the same file
 * @param idempotent {@code idempotent}: its requests may safely be processed twice, so the
 *                   cluster's retry policy may send one again on another endpoint even after it
 *                   was written to an endpoint that then failed (default false: only requests that
 *                   never reached the wire are retried)
 * @param rateLimit  {@code rate_limit}: requests/s of this route, policed; empty = none (default)
 * @param qosClass   {@code qos_class}: the class of service its requests wait in when the
 *                   cluster's connections are busy (a class of the cluster's {@code qos}); empty =
 *                   the cluster's default class
 */
public record RouteConfig(Optional<PayloadMatch> match, String cluster, boolean idempotent, Optional<RouteRateLimit> rateLimit,
                          Optional<String> qosClass) {
    /** Validates every field. */
    public RouteConfig {
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(rateLimit, "rateLimit");
        Objects.requireNonNull(qosClass, "qosClass");
    }

    /** A route without a rate limit or a class of service. */
    public RouteConfig(Optional<PayloadMatch> match, String cluster, boolean idempotent) {
        this(match, cluster, idempotent, Optional.empty(), Optional.empty());
    }

    /** A route whose requests are not idempotent. */
    public RouteConfig(Optional<PayloadMatch> match, String cluster) {
        this(match, cluster, false);
    }

    /** The catch-all route to {@code cluster}. */
    public static RouteConfig catchAll(String cluster) {
        return new RouteConfig(Optional.empty(), cluster);
    }

    /** Whether {@code payload} takes this route. */
    public boolean matches(byte[] payload) {
        return match.map(m -> m.matches(payload)).orElse(true);
    }
}
