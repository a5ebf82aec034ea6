package dev.netkit.cli.load;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.internal.Checks;
import java.time.Duration;
import java.util.List;

/**
 * What a load run does: {@code connections} connections to each target, {@code depth} requests
 * outstanding on each, {@code size}-byte payloads, measured for {@code duration} after
 * {@code warmup}. With a positive {@code validationInterval}, idle pooled connections are
 * validated with a ping that often (zero: off), to measure what validation costs.
 */
public record LoadPlan(
        List<Endpoint> targets,
        int connections,
        int depth,
        int size,
        Duration duration,
        Duration warmup,
        Duration timeout,
        int ioThreads,
        Duration validationInterval) {

    /** A plan without background validation. */
    public LoadPlan(List<Endpoint> targets, int connections, int depth, int size, Duration duration, Duration warmup,
                    Duration timeout, int ioThreads) {
        this(targets, connections, depth, size, duration, warmup, timeout, ioThreads, Duration.ZERO);
    }

    public LoadPlan {
        targets = List.copyOf(targets);
        Checks.positive("connections", connections);
        Checks.inRange("depth", depth, 1, 65_536);
        Checks.inRange("size", size, 0, 65_531);
        Checks.positive("duration", duration);
        Checks.notNegative("warmup", warmup);
        Checks.positive("timeout", timeout);
        Checks.positive("ioThreads", ioThreads);
        Checks.notNegative("validationInterval", validationInterval);
    }

    /** Requests kept outstanding in total. */
    public int lanes() {
        return targets.size() * connections * depth;
    }
}
