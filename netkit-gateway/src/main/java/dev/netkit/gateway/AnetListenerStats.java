package dev.netkit.gateway;

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
 */
public record AnetListenerStats(
        String name,
        long requests,
        long answered,
        Map<String, Long> failures,
        long dropped,
        long closed,
        ServerStats server) implements ListenerStats {}
