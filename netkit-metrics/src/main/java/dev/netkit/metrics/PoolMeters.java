package dev.netkit.metrics;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.pool.CloseReason;
import dev.netkit.core.pool.PoolStats;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The meters of one endpoint's connection pool, all tagged {@code endpoint}. A value reads NaN
 * once the pool is gone and until the next refresh removes its meters.
 */
final class PoolMeters {
    private PoolMeters() {}

    /** {@code classes}: the pool's classes of service as a fresh snapshot lists them (fixed for the broker's life). */
    static MeterGroup register(MeterGroup parent, Endpoint endpoint, Supplier<BrokerView> view, List<PoolStats.ClassWaiters> classes) {
        MeterGroup g = parent.forEndpoint(endpoint.toString());
        ToDoubleFunction<ToDoubleFunction<PoolStats>> read = field -> {
            PoolStats p = view.get().pools().get(endpoint);
            return p == null ? Double.NaN : field.applyAsDouble(p);
        };
        g.gauge("netkit.pool.connections", "Connections open (in service, validating or retiring)", () -> read.applyAsDouble(PoolStats::total));
        g.gauge("netkit.pool.connections.idle", "Open connections with no lease", () -> read.applyAsDouble(PoolStats::idle));
        g.gauge("netkit.pool.connections.leased", "Open connections with at least one lease", () -> read.applyAsDouble(PoolStats::leased));
        g.gauge("netkit.pool.connections.dialing", "Connections being opened", () -> read.applyAsDouble(PoolStats::dialing));
        g.gauge("netkit.pool.connections.validating", "Connections out for background validation", () -> read.applyAsDouble(PoolStats::validating));
        g.gauge("netkit.pool.leases", "Leases outstanding (requests on connections)", () -> read.applyAsDouble(PoolStats::inFlight));
        g.gauge("netkit.pool.pending", "Acquirers waiting for a connection", () -> read.applyAsDouble(PoolStats::pending));
        g.counter("netkit.pool.connections.opened", "Connections opened", () -> read.applyAsDouble(PoolStats::created));
        for (CloseReason reason : CloseReason.values()) {
            g.counter("netkit.pool.connections.closed", "Connections closed, by reason",
                    () -> read.applyAsDouble(p -> p.closed(reason)), "reason", reason.label());
        }
        g.counter("netkit.pool.dial.failures", "Failed dials (refused, timed out, closed before ready)", () -> read.applyAsDouble(PoolStats::dialFailures));
        g.counter("netkit.pool.acquires", "Leases handed out", () -> read.applyAsDouble(PoolStats::acquired));
        g.counter("netkit.pool.acquires.reused", "Leases served by an already used connection", () -> read.applyAsDouble(PoolStats::reused));
        g.counter("netkit.pool.acquires.rejected", "Acquires refused: maxPending acquirers were waiting", () -> read.applyAsDouble(PoolStats::rejected));
        g.counter("netkit.pool.acquires.timed.out", "Acquires that waited out their timeout", () -> read.applyAsDouble(PoolStats::timedOut));
        g.counter("netkit.pool.acquires.failed.fast", "Acquires failed because the endpoint was down", () -> read.applyAsDouble(PoolStats::failedFast));
        g.counter("netkit.pool.validations", "Background validations completed", () -> read.applyAsDouble(PoolStats::validations));
        // Not view.get() here: that would cache a snapshot older than the scrape that follows.
        for (int i = 0; i < classes.size(); i++) {
            int c = i;
            String name = classes.get(c).name();
            g.gauge("netkit.pool.qos.waiting", "Acquirers waiting, by class of service",
                    () -> read.applyAsDouble(p -> p.classes().get(c).waiting()), "class", name);
            g.counter("netkit.pool.qos.refused", "Acquires refused (class capacity or maxPending reached), by class of service",
                    () -> read.applyAsDouble(p -> p.classes().get(c).refused()), "class", name);
        }
        String wait = "netkit.pool.acquire.wait";
        String waitWhat = "Acquire wait since the pool started (immediate acquires count as 0), by quantile";
        g.time(wait, waitWhat, TimeUnit.NANOSECONDS, () -> read.applyAsDouble(p -> p.acquireWait().p50()), "quantile", "0.5");
        g.time(wait, waitWhat, TimeUnit.NANOSECONDS, () -> read.applyAsDouble(p -> p.acquireWait().p99()), "quantile", "0.99");
        g.time(wait, waitWhat, TimeUnit.NANOSECONDS, () -> read.applyAsDouble(p -> p.acquireWait().max()), "quantile", "1");
        return g;
    }
}
