package dev.netkit.gateway.config;

import java.util.Objects;
import java.util.Optional;

/**
 * One route of an anet listener: requests matching {@code match} go to {@code cluster}. Routes are
 * tried in order, the first match wins; a route without {@code match} matches every request (the
 * catch-all, which must be last).
 *
 * @param match   the condition, or empty for the catch-all
 * @param cluster the name of a cluster of the same file
 */
public record RouteConfig(Optional<PayloadMatch> match, String cluster) {
    /** Validates both. */
    public RouteConfig {
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(cluster, "cluster");
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
