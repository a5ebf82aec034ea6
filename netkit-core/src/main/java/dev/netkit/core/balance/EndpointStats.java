package dev.netkit.core.balance;

import dev.netkit.core.endpoint.Endpoint;

/**
 * One endpoint's state at one moment, as {@link LoadBalancer#stats()} reports it.
 *
 * @param address         the endpoint
 * @param zone            its zone, or {@code ""}
 * @param weight          its configured weight
 * @param effectiveWeight the weight picks use now (lower during slow start)
 * @param status          whether it is in service, and if not why
 * @param outstanding     requests sent to it and not finished
 * @param latencyMillis   its peak-EWMA latency, 0 before the first answer
 * @param picks           times it was picked
 * @param successes       requests it answered
 * @param failures        requests it failed
 * @param ejections       times outlier detection ejected it
 * @param breaker         its circuit breaker's state, or {@code "none"}
 * @param lastReason      why its status last changed, or {@code ""}
 */
public record EndpointStats(
        Endpoint address,
        String zone,
        int weight,
        int effectiveWeight,
        EndpointStatus status,
        int outstanding,
        double latencyMillis,
        long picks,
        long successes,
        long failures,
        long ejections,
        String breaker,
        String lastReason) {
}
