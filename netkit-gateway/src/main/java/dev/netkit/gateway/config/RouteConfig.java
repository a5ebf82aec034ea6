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
 */
public record RouteConfig(Optional<PayloadMatch> match, String cluster, boolean idempotent) {
    /** Validates both. */
    public RouteConfig {
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(cluster, "cluster");
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
