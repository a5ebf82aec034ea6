package dev.netkit.core.balance;

import static dev.netkit.core.balance.Traffic.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.breaker.BreakerConfig;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.health.HealthCheckConfig;
import dev.netkit.core.health.HealthChecker;
import dev.netkit.core.time.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Review of issue 4 (i4-review): control-plane bugs of the load balancer, each on a manual clock.
 * Each test states the contract it checks; they fail on the reviewed code.
 */
class LoadBalancerReviewTest {

    private final ManualScheduler scheduler = new ManualScheduler();

    private static EndpointStats statsOf(LoadBalancer lb, Endpoint e) {
        return lb.stats().endpoints().stream().filter(s -> s.address().equals(e)).findFirst().orElseThrow();
    }

    /**
     * An ejection timer is not tied to the ejection that scheduled it: after an early return (a
     * passing health check) and a second, longer ejection, the first ejection's timer lifts the
     * second one at its own (earlier) time.
     */
    @Test
    void aStaleEjectionTimerDoesNotLiftALaterLongerEjection() {
        Map<Endpoint, Boolean> up = new ConcurrentHashMap<>(Map.of(A, true, B, true, C, true));
        HealthChecker checker = (endpoint, timeout) -> up.get(endpoint) ? CompletableFuture.completedFuture(null)
                : CompletableFuture.failedFuture(new IllegalStateException("down"));
        HealthCheckConfig health = HealthCheckConfig.builder().interval(Duration.ofSeconds(5)).jitter(0)
                .timeout(Duration.ofSeconds(1)).healthyThreshold(1).unhealthyThreshold(100).build();
        LoadBalancer lb = LoadBalancer.builder(BalancerConfig.defaults()
                        .withOutlier(OutlierConfig.defaults().withMaxEjectedShare(0.5)
                                .withEjection(Duration.ofSeconds(30), Duration.ofSeconds(300))
                                .withInterval(Duration.ofHours(1)))) // no sweep forgiveness in the window
                .endpoints(List.of(WeightedEndpoint.of(A), WeightedEndpoint.of(B), WeightedEndpoint.of(C)))
                .healthCheck(checker, health)
                .time(scheduler.ticker(), scheduler)
                .build();
        scheduler.runDue();
        EndpointState a = lb.state(A);
        // t=0: first ejection, 30 s; timer T1 due at t=30 s.
        fail(lb, a, 5);
        assertThat(statsOf(lb, A).status()).isEqualTo(EndpointStatus.EJECTED);
        // t=5 s: the next health check passes: A returns early.
        scheduler.advance(Duration.ofSeconds(5));
        assertThat(statsOf(lb, A).status()).isEqualTo(EndpointStatus.HEALTHY);
        // t=10 s: second ejection in a row: 2 x 30 s = 60 s, due at t=70 s. Health checks now fail.
        up.put(A, false);
        scheduler.advance(Duration.ofSeconds(5));
        fail(lb, a, 5);
        assertThat(statsOf(lb, A).status()).isEqualTo(EndpointStatus.EJECTED);
        // t=31 s: only the stale timer T1 (t=30 s) has fired; the 60 s ejection must still hold.
        scheduler.advance(Duration.ofSeconds(21));
        assertThat(statsOf(lb, A).status())
                .as("the 60 s ejection that began at t=10 s, seen at t=31 s (reason: %s)", statsOf(lb, A).lastReason())
                .isEqualTo(EndpointStatus.EJECTED);
        lb.close();
    }

    private static void fail(LoadBalancer lb, EndpointState s, int times) {
        for (int i = 0; i < times; i++) {
            s.started();
            lb.finished(s, 1_000_000, Outcome.FAILURE);
        }
    }

    /**
     * Breaker transitions are routed by address: when an endpoint is removed and added again while
     * requests to the old member are in flight, the old member's breaker opening marks the NEW
     * member BREAKER_OPEN, and the balancer's timer then asks the new (CLOSED) breaker, which never
     * transitions: the re-added endpoint stays out of picks for good.
     */
    @Test
    void aRemovedMembersBreakerDoesNotTakeTheReAddedEndpointOutForGood() {
        BreakerConfig breaker = BreakerConfig.builder().countWindow(10).minimumCalls(10).failureRateThreshold(0.5)
                .waitInOpen(Duration.ofSeconds(10)).permittedCallsInHalfOpen(2).build();
        LoadBalancer lb = LoadBalancer.builder(BalancerConfig.defaults().withOutlier(OutlierConfig.disabled())
                        .withBreaker(breaker).withPanicThreshold(0))
                .endpoints(List.of(WeightedEndpoint.of(A), WeightedEndpoint.of(B), WeightedEndpoint.of(C)))
                .time(scheduler.ticker(), scheduler)
                .build();
        // Ten requests in flight on A.
        List<EndpointState> inFlightOnA = new ArrayList<>();
        while (inFlightOnA.size() < 10) {
            EndpointState s = lb.pick();
            if (s.endpoint().address().equals(A)) {
                inFlightOnA.add(s);
            } else {
                lb.finished(s, 1, Outcome.SUCCESS);
            }
        }
        lb.remove(A); // e.g. service discovery flaps
        lb.add(WeightedEndpoint.of(A));
        for (EndpointState s : inFlightOnA) {
            lb.finished(s, 1_000_000, Outcome.FAILURE); // the old member's requests fail: its breaker opens
        }
        scheduler.advance(Duration.ofMinutes(5)); // far beyond waitInOpen
        assertThat(statsOf(lb, A).status()).as("the re-added A; its own breaker never saw a call")
                .isEqualTo(EndpointStatus.HEALTHY);
        lb.close();
    }

    /**
     * Picks in panic mode must hold a breaker permit like any other, or their
     * {@code finished(NOT_COUNTED)} frees HALF_OPEN trial slots that real trials hold, and after
     * the panic more than {@code permittedCallsInHalfOpen} trials run at once.
     */
    @Test
    void panicModeReleasesDoNotFreeTrialSlotsHeldByOtherRequests() {
        BreakerConfig breaker = BreakerConfig.builder().countWindow(10).minimumCalls(10).failureRateThreshold(0.5)
                .waitInOpen(Duration.ofSeconds(10)).permittedCallsInHalfOpen(2).build();
        LoadBalancer lb = LoadBalancer.builder(BalancerConfig.defaults().withOutlier(OutlierConfig.disabled())
                        .withBreaker(breaker).withPanicThreshold(0.5))
                .endpoints(List.of(WeightedEndpoint.of(A), WeightedEndpoint.of(B), WeightedEndpoint.of(C)))
                .time(scheduler.ticker(), scheduler)
                .build();
        fail(lb, lb.state(A), 10); // A's breaker opens
        scheduler.advance(Duration.ofSeconds(10)); // HALF_OPEN: 2 trial slots
        List<EndpointState> trials = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            EndpointState s = lb.pick();
            if (s.endpoint().address().equals(A)) {
                trials.add(s); // held: both trial slots in use
            } else {
                lb.finished(s, 1, Outcome.SUCCESS);
            }
        }
        assertThat(trials).hasSize(2);
        // Panic for a moment (B and C fail their health checks); picks of A in panic are cancelled.
        lb.healthChanged(B, false, "test");
        lb.healthChanged(C, false, "test");
        assertThat(lb.panic()).isTrue();
        for (int i = 0; i < 9; i++) {
            lb.finished(lb.pick(), 0, Outcome.NOT_COUNTED);
        }
        lb.healthChanged(B, true, "test");
        lb.healthChanged(C, true, "test");
        assertThat(lb.panic()).isFalse();
        int moreTrials = 0;
        for (int i = 0; i < 30; i++) {
            EndpointState s = lb.pick();
            if (s.endpoint().address().equals(A)) {
                moreTrials++; // held too
            } else {
                lb.finished(s, 1, Outcome.SUCCESS);
            }
        }
        assertThat(trials.size() + moreTrials).as("trial requests on A at once (permitted: 2)").isEqualTo(2);
        lb.close();
    }
}
