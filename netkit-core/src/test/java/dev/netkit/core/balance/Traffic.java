package dev.netkit.core.balance;

import dev.netkit.core.endpoint.Endpoint;
import java.util.HashSet;
import java.util.Set;

/** Request traffic for balancer tests: picks that succeed, and outcomes reported straight to one endpoint. */
final class Traffic {
    static final Endpoint A = new Endpoint("10.0.0.1", 7000);
    static final Endpoint B = new Endpoint("10.0.0.2", 7000);
    static final Endpoint C = new Endpoint("10.0.0.3", 7000);
    static final Endpoint D = new Endpoint("10.0.0.4", 7000);

    private Traffic() {}

    /** {@code picks} picks, each finished as a success; the endpoints they landed on. */
    static Set<Endpoint> picked(LoadBalancer lb, int picks) {
        Set<Endpoint> seen = new HashSet<>();
        for (int i = 0; i < picks; i++) {
            EndpointState s = lb.pick();
            seen.add(s.endpoint().address());
            lb.finished(s, 1_000_000, Outcome.SUCCESS);
        }
        return seen;
    }

    /**
     * Requests to {@code target} as if picked (started, then finished): {@code successes} that
     * succeed, then {@code failures} that fail, or the failures first when {@code failuresFirst}.
     */
    static void outcomes(LoadBalancer lb, Endpoint target, int successes, int failures, boolean failuresFirst) {
        EndpointState s = lb.state(target);
        for (int i = 0; i < successes + failures; i++) {
            boolean failed = failuresFirst ? i < failures : i >= successes;
            s.started();
            lb.finished(s, 1_000_000, failed ? Outcome.FAILURE : Outcome.SUCCESS);
        }
    }

    /** {@code times} failed requests to {@code target}. */
    static void failures(LoadBalancer lb, Endpoint target, int times) {
        outcomes(lb, target, 0, times, true);
    }
}
