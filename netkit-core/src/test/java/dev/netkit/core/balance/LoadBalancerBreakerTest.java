package dev.netkit.core.balance;

import static dev.netkit.core.balance.Traffic.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.breaker.BreakerConfig;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.time.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Circuit breakers inside the balancer: OPEN leaves picks, the wait brings trial requests, their verdict closes or reopens. */
class LoadBalancerBreakerTest {

    private final ManualScheduler scheduler = new ManualScheduler();
    private final List<String> events = new CopyOnWriteArrayList<>();

    private LoadBalancer balancer(double panicThreshold) {
        BreakerConfig breaker = BreakerConfig.builder().countWindow(10).minimumCalls(10).failureRateThreshold(0.5)
                .waitInOpen(Duration.ofSeconds(10)).permittedCallsInHalfOpen(2).build();
        BalancerConfig config = BalancerConfig.defaults().withOutlier(OutlierConfig.disabled()).withBreaker(breaker)
                .withPanicThreshold(panicThreshold);
        return LoadBalancer.builder(config)
                .endpoints(List.of(WeightedEndpoint.of(A), WeightedEndpoint.of(B), WeightedEndpoint.of(C)))
                .listener(new BalancerListener() {
                    @Override
                    public void breakerChanged(Endpoint endpoint, String from, String to, String reason) {
                        events.add(endpoint.host() + " " + from + "->" + to);
                    }
                })
                .time(scheduler.ticker(), scheduler)
                .build();
    }


    @Test
    void anOpenBreakerLeavesPicksThenTrialRequestsDecide() {
        LoadBalancer lb = balancer(0.5);
        outcomes(lb, A, 5, 4, false);
        assertThat(events).isEmpty(); // 9 calls: below the minimum
        outcomes(lb, A, 0, 1, false); // 5 of 10 failed: the threshold
        assertThat(events).containsExactly("10.0.0.1 CLOSED->OPEN");
        assertThat(lb.stats().endpoints().get(0).status()).isEqualTo(EndpointStatus.BREAKER_OPEN);
        assertThat(lb.stats().endpoints().get(0).breaker()).isEqualTo("OPEN");
        for (int i = 0; i < 30; i++) {
            EndpointState s = lb.pick();
            assertThat(s.endpoint().address()).isNotEqualTo(A);
            lb.finished(s, 1, Outcome.SUCCESS);
        }

        scheduler.advance(Duration.ofSeconds(10)); // the wait is over: asked by the balancer's timer
        assertThat(events).containsExactly("10.0.0.1 CLOSED->OPEN", "10.0.0.1 OPEN->HALF_OPEN");
        List<EndpointState> trials = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            EndpointState s = lb.pick();
            if (s.endpoint().address().equals(A)) {
                trials.add(s); // held, not finished: the trial slots stay in use
            } else {
                lb.finished(s, 1, Outcome.SUCCESS);
            }
        }
        assertThat(trials).hasSize(2); // exactly the permitted trial requests
        for (EndpointState trial : trials) {
            lb.finished(trial, 1_000_000, Outcome.SUCCESS);
        }
        assertThat(events).containsExactly("10.0.0.1 CLOSED->OPEN", "10.0.0.1 OPEN->HALF_OPEN", "10.0.0.1 HALF_OPEN->CLOSED");
        assertThat(lb.stats().endpoints().get(0).status()).isEqualTo(EndpointStatus.HEALTHY);
    }

    @Test
    void afterCloseRequestsStillFinishingTellNoBreakerChange() {
        LoadBalancer lb = balancer(0.5);
        outcomes(lb, A, 5, 4, false);
        lb.close();
        outcomes(lb, A, 0, 1, false); // would open A's breaker
        scheduler.advance(Duration.ofSeconds(10));
        assertThat(events).isEmpty();
    }

    @Test
    void aFailedTrialReopensAndTheWaitStartsAgain() {
        LoadBalancer lb = balancer(0.5);
        outcomes(lb, B, 0, 10, false);
        scheduler.advance(Duration.ofSeconds(10));
        EndpointState trial;
        do {
            trial = lb.pick();
            if (trial.endpoint().address().equals(B)) {
                break;
            }
            lb.finished(trial, 1, Outcome.SUCCESS);
        } while (true);
        lb.finished(trial, 1, Outcome.FAILURE);
        assertThat(events).endsWith("10.0.0.2 HALF_OPEN->OPEN");
        assertThat(lb.stats().endpoints().get(1).status()).isEqualTo(EndpointStatus.BREAKER_OPEN);
        scheduler.advance(Duration.ofSeconds(10));
        assertThat(events).endsWith("10.0.0.2 OPEN->HALF_OPEN");
    }

    @Test
    void panicModeIgnoresHealthButStillHonoursOpenBreakers() {
        LoadBalancer lb = balancer(0.5);
        outcomes(lb, A, 0, 10, false);
        outcomes(lb, B, 0, 10, false);
        assertThat(lb.panic()).isTrue(); // 1 of 3 in service: the snapshot lists all three
        for (int i = 0; i < 30; i++) {
            EndpointState s = lb.pick(); // A and B refuse (OPEN): re-picked onto C
            assertThat(s.endpoint().address()).isEqualTo(C);
            lb.finished(s, 0, Outcome.NOT_COUNTED);
        }
        assertThat(lb.stats().endpoints()).extracting(EndpointStats::outstanding).containsOnly(0);
    }
}
