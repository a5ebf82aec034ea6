package dev.netkit.metrics;

import dev.netkit.core.balance.EndpointStats;
import dev.netkit.core.balance.EndpointStatus;
import dev.netkit.core.breaker.BreakerState;
import dev.netkit.core.endpoint.Endpoint;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The load balancer's view of one endpoint, all tagged {@code endpoint}. Status and breaker state
 * are one-hot gauges (kube-state-metrics style): {@code netkit_balancer_endpoint_status{status="ejected"} 1}
 * for the current status, 0 for the others, so {@code == 1} selects, {@code sum by (status)} counts.
 */
final class EndpointMeters {
    private EndpointMeters() {}

    static MeterGroup register(MeterGroup parent, Endpoint endpoint, boolean hasBreaker, Supplier<BrokerView> view) {
        MeterGroup g = parent.forEndpoint(endpoint.toString());
        ToDoubleFunction<ToDoubleFunction<EndpointStats>> read = field -> {
            EndpointStats e = view.get().endpoints().get(endpoint);
            return e == null ? Double.NaN : field.applyAsDouble(e);
        };
        g.gauge("netkit.balancer.endpoint.outstanding", "Requests sent to the endpoint and not finished", () -> read.applyAsDouble(EndpointStats::outstanding));
        g.gauge("netkit.balancer.endpoint.weight", "The weight picks use now (lower during slow start)", () -> read.applyAsDouble(EndpointStats::effectiveWeight));
        g.time("netkit.balancer.endpoint.latency.ewma", "Peak-EWMA latency the balancer sees, 0 before the first answer",
                TimeUnit.MILLISECONDS, () -> read.applyAsDouble(EndpointStats::latencyMillis));
        g.counter("netkit.balancer.endpoint.picks", "Times the endpoint was picked", () -> read.applyAsDouble(EndpointStats::picks));
        g.counter("netkit.balancer.endpoint.successes", "Requests the endpoint answered", () -> read.applyAsDouble(EndpointStats::successes));
        g.counter("netkit.balancer.endpoint.failures", "Requests the endpoint failed", () -> read.applyAsDouble(EndpointStats::failures));
        g.counter("netkit.balancer.endpoint.ejections", "Times outlier detection ejected the endpoint", () -> read.applyAsDouble(EndpointStats::ejections));
        for (EndpointStatus status : EndpointStatus.values()) {
            g.gauge("netkit.balancer.endpoint.status", "1 for the endpoint's current status, 0 for the others",
                    () -> read.applyAsDouble(e -> e.status() == status ? 1 : 0), "status", label(status.name()));
        }
        if (hasBreaker) {
            for (BreakerState state : BreakerState.values()) {
                g.gauge("netkit.balancer.endpoint.breaker", "1 for the circuit breaker's current state, 0 for the others",
                        () -> read.applyAsDouble(e -> e.breaker().equals(state.name()) ? 1 : 0), "state", label(state.name()));
            }
        }
        return g;
    }

    private static String label(String enumName) {
        return enumName.toLowerCase(Locale.ROOT);
    }
}
