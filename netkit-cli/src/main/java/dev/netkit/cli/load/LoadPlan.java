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
 * optional health checks probe every target.
 *
 * <p>With a positive {@code rate}, the load is open-loop instead: requests start at that fixed
 * rate whatever the answers do ({@code connections x depth} then only bounds what may be on the
 * wire; more waits in the broker or fails as queue_full), and each latency is measured from the
 * request's intended send time, so a stalled client or server is not hidden (coordinated
 * omission corrected).
 *
 * <p>With {@code tls} enabled every connection (and health probe) talks TLS.
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
        long rate,
        TlsConfig tls) {

    /** The largest {@code --rate}, requests per second. */
    public static final long MAX_RATE = 10_000_000;

    /** A closed-loop plaintext plan (no fixed rate). */
    public LoadPlan(List<WeightedEndpoint> targets, int connections, int depth, int size, Duration duration, Duration warmup,
                    Duration timeout, int ioThreads, Duration validationInterval, Balancing balancing) {
        this(targets, connections, depth, size, duration, warmup, timeout, ioThreads, validationInterval, balancing, 0);
    }

    /** A plaintext plan; {@code rate} 0 = closed loop. */
    public LoadPlan(List<WeightedEndpoint> targets, int connections, int depth, int size, Duration duration, Duration warmup,
                    Duration timeout, int ioThreads, Duration validationInterval, Balancing balancing, long rate) {
        this(targets, connections, depth, size, duration, warmup, timeout, ioThreads, validationInterval, balancing, rate,
                TlsConfig.none());
    }

    /** A plan without background validation, round robin and the default outlier detection, over equal targets. */
    public LoadPlan(List<Endpoint> targets, int connections, int depth, int size, Duration duration, Duration warmup,
                    Duration timeout, int ioThreads) {
        this(targets.stream().map(WeightedEndpoint::of).toList(), connections, depth, size, duration, warmup, timeout,
                ioThreads, Duration.ZERO, Balancing.defaults(), 0);
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
        if (rate < 0 || rate > MAX_RATE) {
            throw new IllegalArgumentException("--rate: " + rate + " (expected: 1.." + MAX_RATE + " requests/s, or 0 for closed-loop)");
        }
        Objects.requireNonNull(tls, "tls").checkClient();
    }

    /** Whether requests start at a fixed rate ({@code rate > 0}) rather than as answers come back. */
    public boolean openLoop() {
        return rate > 0;
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
