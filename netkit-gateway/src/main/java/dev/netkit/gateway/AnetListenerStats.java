package dev.netkit.gateway;

import dev.netkit.netty.fleet.FleetStats;
import dev.netkit.netty.server.ServerStats;
import java.util.Map;

/**
 * A snapshot of a request-level listener.
 *
 * @param name       the listener
 * @param requests   requests received from clients
 * @param answered   requests answered with their upstream's response
 * @param failures   requests that could not be served, by reason ({@code no_route}, and the error
 *                   kinds of the broker: {@code no_endpoints}, {@code timeout}, {@code queue_full} …)
 * @param dropped    of those, left unanswered ({@code on_failure: drop})
 * @param closed     of those, answered by closing the client's connection ({@code on_failure: close})
 * @param server     the client side: connections, timeouts, protocol violations, and
 *                   {@code discardedResponses}: answers that came after their client had left
 * @param routeLimits per route with a {@code rate_limit} (named {@code routes[i] -> cluster}):
 *                   {@code rate_limited} (requests refused) and, for a fleet limit,
 *                   {@code fleet_round_trips}, {@code fleet_tokens_fetched},
 *                   {@code fleet_fallback_admitted}, {@code fleet_fallback_episodes},
 *                   {@code fleet_failures} by reason, {@code fleet_degraded}, {@code fleet_members}
 * @param fleet      the listener's own fleet limit ({@code rate_limits.fleet_requests}), or null
 */
public record AnetListenerStats(
        String name,
        long requests,
        long answered,
        Map<String, Long> failures,
        long dropped,
        long closed,
        ServerStats server,
        Map<String, Map<String, Object>> routeLimits,
        FleetStats fleet) implements ListenerStats {

    /** A snapshot without route limits or a listener fleet limit. */
    public AnetListenerStats(String name, long requests, long answered, Map<String, Long> failures, long dropped, long closed,
                             ServerStats server) {
        this(name, requests, answered, failures, dropped, closed, server, Map.of(), null);
    }
}
