package dev.netkit.cli.load;

import dev.netkit.core.balance.BalancerConfig;
import dev.netkit.core.balance.OutlierConfig;
import dev.netkit.core.balance.WeightedEndpoint;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.internal.Checks;
import dev.netkit.netty.tls.TlsConfig;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a load run does: {@code connections} connections to each target, {@code depth} requests
 * outstanding on each, {@code size}-byte payloads, measured for {@code duration} after
 * {@code warmup}. With a positive {@code validationInterval}, idle pooled connections are
 * validated with a ping that often (zero: off), to measure what validation costs. Each request's
 * target is chosen by the {@code balancing} strategy among the targets (with their weights);
 * outlier detection ejects failing targets for a while, safe failures are retried elsewhere, and
 * optional health checks probe every target. With {@code tls} enabled every connection (and
 * health probe) talks TLS.
 */
public record LoadPlan(
        List<WeightedEndpoint> targets,
        int connections,
        int depth,
        int size,
        Duration duration,
        Duration warmup,
        Duration timeout,
        int ioThreads,
        Duration validationInterval,
        Balancing balancing,
        TlsConfig tls) {

    /** A plaintext plan. */
    public LoadPlan(List<WeightedEndpoint> targets, int connections, int depth, int size, Duration duration, Duration warmup,
                    Duration timeout, int ioThreads, Duration validationInterval, Balancing balancing) {
        this(targets, connections, depth, size, duration, warmup, timeout, ioThreads, validationInterval, balancing,
                TlsConfig.none());
    }

    /** A plan without background validation, round robin and the default outlier detection, over equal targets. */
    public LoadPlan(List<Endpoint> targets, int connections, int depth, int size, Duration duration, Duration warmup,
                    Duration timeout, int ioThreads) {
        this(targets.stream().map(WeightedEndpoint::of).toList(), connections, depth, size, duration, warmup, timeout,
                ioThreads, Duration.ZERO, Balancing.defaults());
    }

    /** Validates every field. */
    public LoadPlan {
        targets = List.copyOf(targets);
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("targets: none (expected at least one host:port)");
        }
        if (targets.stream().map(WeightedEndpoint::address).distinct().count() != targets.size()) {
            throw new IllegalArgumentException("targets: " + addresses(targets) + " (expected each listed once)");
        }
        Checks.positive("connections", connections);
        Checks.inRange("depth", depth, 1, 65_536);
        Checks.inRange("size", size, 0, 65_531);
        Checks.positive("duration", duration);
        Checks.notNegative("warmup", warmup);
        Checks.positive("timeout", timeout);
        Checks.positive("ioThreads", ioThreads);
        Checks.notNegative("validationInterval", validationInterval);
        Objects.requireNonNull(balancing, "balancing");
        Objects.requireNonNull(tls, "tls").checkClient();
    }

    /** Requests kept outstanding in total. */
    public int lanes() {
        return targets.size() * connections * depth;
    }

    /** The target addresses, in order. */
    public List<Endpoint> addresses() {
        return addresses(targets);
    }

    /** The balancing strategy. */
    public LbChoice lb() {
        return balancing.lb();
    }

    /** The outlier detection. */
    public OutlierConfig outlier() {
        return balancing.outlier();
    }

    /** The balancer configuration: the library's defaults with this plan's choices. */
    public BalancerConfig balancerConfig() {
        return balancing.balancerConfig();
    }

    private static List<Endpoint> addresses(List<WeightedEndpoint> targets) {
        return targets.stream().map(WeightedEndpoint::address).toList();
    }
}
