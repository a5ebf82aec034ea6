package dev.netkit.core.balance;

import static dev.netkit.core.balance.Traffic.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.health.HealthCheckConfig;
import dev.netkit.core.health.HealthChecker;
import dev.netkit.core.time.ManualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Active health checks feeding the balancer: out on failing checks, back on passing ones, ejections lifted early. */
class LoadBalancerHealthTest {

    private final ManualScheduler scheduler = new ManualScheduler();
    private final Map<Endpoint, Boolean> up = new ConcurrentHashMap<>(Map.of(A, true, B, true, C, true));
    private final Map<Endpoint, AtomicInteger> checks = new ConcurrentHashMap<>();
    private final List<String> events = new CopyOnWriteArrayList<>();

    /** Answers at once from {@link #up}. */
    private final HealthChecker checker = (endpoint, timeout) -> {
        checks.computeIfAbsent(endpoint, e -> new AtomicInteger()).incrementAndGet();
        return up.get(endpoint) ? CompletableFuture.completedFuture(null)
                : CompletableFuture.failedFuture(new IllegalStateException("connect to " + endpoint + " refused"));
    };

    private final HealthCheckConfig health = HealthCheckConfig.builder()
            .interval(Duration.ofSeconds(2)).jitter(0).timeout(Duration.ofSeconds(1))
            .healthyThreshold(2).unhealthyThreshold(3).build();

    private LoadBalancer balancer() {
        return LoadBalancer.builder(BalancerConfig.defaults().withOutlier(OutlierConfig.defaults().withMaxEjectedShare(0.5)))
                .endpoints(List.of(WeightedEndpoint.of(A), WeightedEndpoint.of(B), WeightedEndpoint.of(C)))
                .healthCheck(checker, health)
                .listener(new BalancerListener() {
                    @Override
                    public void healthChanged(Endpoint endpoint, boolean healthy, String reason) {
                        events.add(endpoint.host() + (healthy ? " healthy: " : " unhealthy: ") + reason);
                    }

                    @Override
                    public void ejected(Endpoint endpoint, String reason, Duration duration) {
                        events.add(endpoint.host() + " ejected");
                    }

                    @Override
                    public void returned(Endpoint endpoint, String reason) {
                        events.add(endpoint.host() + " returned: " + reason);
                    }
                })
                .time(scheduler.ticker(), scheduler)
                .build();
    }


    @Test
    void failingChecksTakeAnEndpointOutAndPassingOnesBringItBack() {
        LoadBalancer lb = balancer();
        scheduler.runDue(); // the first checks run at start
        up.put(B, false);
        scheduler.advance(Duration.ofSeconds(2));
        scheduler.advance(Duration.ofSeconds(2));
        assertThat(picked(lb, 30)).contains(B); // two failures: not yet
        scheduler.advance(Duration.ofSeconds(2));
        assertThat(events).containsExactly("10.0.0.2 unhealthy: 3 consecutive checks failed; last: IllegalStateException: connect to 10.0.0.2:7000 refused");
        assertThat(picked(lb, 30)).containsExactlyInAnyOrder(A, C);
        assertThat(lb.stats().endpoints().get(1).status()).isEqualTo(EndpointStatus.UNHEALTHY);

        up.put(B, true);
        scheduler.advance(Duration.ofSeconds(2));
        assertThat(picked(lb, 30)).doesNotContain(B); // one pass: not yet
        scheduler.advance(Duration.ofSeconds(2));
        assertThat(events.get(events.size() - 1)).isEqualTo("10.0.0.2 healthy: 2 consecutive checks passed");
        assertThat(picked(lb, 30)).containsExactlyInAnyOrder(A, B, C);
        lb.close();
    }

    @Test
    void aPassingCheckLiftsAnEjectionLongBeforeItsTimeRunsOut() {
        LoadBalancer lb = balancer();
        scheduler.runDue();
        EndpointState a = lb.state(A);
        for (int i = 0; i < 5; i++) {
            a.started();
            lb.finished(a, 1_000_000, Outcome.FAILURE);
        }
        assertThat(picked(lb, 30)).containsExactlyInAnyOrder(B, C);
        scheduler.advance(Duration.ofSeconds(2)); // next scheduled check of A passes
        assertThat(events).containsExactly("10.0.0.1 ejected", "10.0.0.1 returned: active health check passed");
        assertThat(picked(lb, 30)).contains(A);
        lb.close();
    }

    @Test
    void removingAnEndpointStopsItsChecksAndCloseStopsAll() {
        LoadBalancer lb = balancer();
        scheduler.runDue();
        lb.remove(C);
        int checksOfC = checks.get(C).get();
        scheduler.advance(Duration.ofSeconds(10));
        assertThat(checks.get(C).get()).isEqualTo(checksOfC);
        assertThat(checks.get(A).get()).isGreaterThan(checksOfC); // A kept being checked
        lb.close();
        int checksOfA = checks.get(A).get();
        scheduler.advance(Duration.ofSeconds(10));
        assertThat(checks.get(A).get()).isEqualTo(checksOfA);
        assertThat(scheduler.pending()).isZero();
    }
}
