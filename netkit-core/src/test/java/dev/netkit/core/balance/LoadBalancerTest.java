package dev.netkit.core.balance;

import static dev.netkit.core.balance.Traffic.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.NoEndpointsException;
import dev.netkit.core.time.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The control plane: outlier ejection and return, panic mode, membership changes and slow start, on a manual clock. */
class LoadBalancerTest {

    private final ManualScheduler scheduler = new ManualScheduler();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final BalancerListener recorder = new BalancerListener() {
        @Override
        public void ejected(Endpoint endpoint, String reason, Duration duration) {
            events.add("ejected " + endpoint.host() + " for " + duration.toSeconds() + "s: " + reason);
        }

        @Override
        public void ejectionSkipped(Endpoint endpoint, String reason) {
            events.add("skipped " + endpoint.host());
        }

        @Override
        public void returned(Endpoint endpoint, String reason) {
            events.add("returned " + endpoint.host() + ": " + reason);
        }

        @Override
        public void panicChanged(boolean panic, int inService, int total) {
            events.add("panic " + panic + " " + inService + "/" + total);
        }
    };

    private LoadBalancer balancer(BalancerConfig config, Endpoint... endpoints) {
        List<WeightedEndpoint> list = new ArrayList<>();
        for (Endpoint e : endpoints) {
            list.add(WeightedEndpoint.of(e));
        }
        return LoadBalancer.builder(config).endpoints(list).listener(recorder).time(scheduler.ticker(), scheduler).build();
    }



    @Test
    void picksCountOutstandingUntilFinished() {
        LoadBalancer lb = balancer(BalancerConfig.defaults(), A, B);
        EndpointState first = lb.pick();
        EndpointState second = lb.pick();
        assertThat(first).isNotSameAs(second);
        assertThat(first.outstanding()).isEqualTo(1);
        lb.finished(first, 2_000_000, Outcome.SUCCESS);
        lb.finished(second, 0, Outcome.NOT_COUNTED);
        assertThat(first.outstanding()).isZero();
        assertThat(second.outstanding()).isZero();
        assertThat(first.successes()).isEqualTo(1);
        assertThat(second.successes() + second.failures()).isZero();
        assertThat(lb.stats().endpoints()).extracting(EndpointStats::picks).containsExactly(1L, 1L);
    }

    @Test
    void consecutiveFailuresEjectAndTheEjectionLengthensThenIsForgiven() {
        OutlierConfig outlier = OutlierConfig.defaults().withMaxEjectedShare(0.5);
        LoadBalancer lb = balancer(BalancerConfig.defaults().withOutlier(outlier), A, B, C);

        failures(lb, A, 4);
        assertThat(lb.stats().endpoints().get(0).status()).isEqualTo(EndpointStatus.HEALTHY); // 4 < 5
        failures(lb, A, 1);
        assertThat(events).containsExactly("ejected 10.0.0.1 for 30s: 5 consecutive failures");
        assertThat(picked(lb, 30)).containsExactlyInAnyOrder(B, C);
        assertThat(lb.stats().endpoints().get(0).status()).isEqualTo(EndpointStatus.EJECTED);

        scheduler.advance(Duration.ofSeconds(29));
        assertThat(picked(lb, 30)).doesNotContain(A);
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(events.get(events.size() - 1)).isEqualTo("returned 10.0.0.1: ejection of 30000 ms ended");
        assertThat(picked(lb, 30)).contains(A);

        failures(lb, A, 5); // second ejection in a row: 2 × base
        assertThat(events.get(events.size() - 1)).startsWith("ejected 10.0.0.1 for 60s");
        scheduler.advance(Duration.ofSeconds(60));
        // Well intervals forgive one ejection each: after two, the next ejection is 1 × base again.
        scheduler.advance(Duration.ofSeconds(20));
        failures(lb, A, 5);
        assertThat(events.get(events.size() - 1)).startsWith("ejected 10.0.0.1 for 30s");
    }

    @Test
    void ejectionTimeIsCapped() {
        OutlierConfig outlier = OutlierConfig.defaults().withEjection(Duration.ofSeconds(30), Duration.ofSeconds(70))
                .withInterval(Duration.ofHours(1)); // no forgiveness during the test
        LoadBalancer lb = balancer(BalancerConfig.defaults().withOutlier(outlier), A, B);
        List<Long> durations = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            failures(lb, A, 5);
            String last = events.get(events.size() - 1);
            durations.add(Long.parseLong(last.substring(last.indexOf(" for ") + 5, last.indexOf("s:"))));
            scheduler.advance(Duration.ofSeconds(70));
        }
        assertThat(durations).containsExactly(30L, 60L, 70L, 70L);
    }

    @Test
    void atMostTheMaxEjectedShareIsEjectedButAlwaysOne() {
        LoadBalancer lb = balancer(BalancerConfig.defaults(), A, B, C); // share 0.1 of 3 = 0, yet one may go
        failures(lb, A, 5);
        failures(lb, B, 5);
        assertThat(events).containsExactly("ejected 10.0.0.1 for 30s: 5 consecutive failures", "skipped 10.0.0.2");
        assertThat(picked(lb, 30)).containsExactlyInAnyOrder(B, C);
        assertThat(lb.stats().ejections()).isEqualTo(1);
        scheduler.advance(Duration.ofSeconds(30)); // A returns: room for one ejection again
        failures(lb, B, 5); // B keeps failing: judged again after another 5 failures
        assertThat(events.get(events.size() - 1)).startsWith("ejected 10.0.0.2");
    }

    @Test
    void pickOtherFindsEveryRemainingEndpointWhenTheAvoidedOneLeftTheSnapshot() {
        LoadBalancer lb = balancer(BalancerConfig.defaults().withOutlier(OutlierConfig.defaults().withMaxEjectedShare(0.5)), A, B, C);
        EndpointState a = lb.state(A);
        failures(lb, A, 5); // ejected: no longer in the snapshot
        Set<Endpoint> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            EndpointState other = lb.pickOther(a);
            seen.add(other.endpoint().address());
            lb.finished(other, 1, Outcome.SUCCESS);
        }
        assertThat(seen).containsExactlyInAnyOrder(B, C);
    }

    @Test
    void failureRateOverAnIntervalEjectsOnlyAboveTheMinimumVolume() {
        OutlierConfig outlier = OutlierConfig.defaults().withConsecutiveFailures(0).withFailureRate(0.5, 20).withMaxEjectedShare(0.5);
        LoadBalancer lb = balancer(BalancerConfig.defaults().withOutlier(outlier), A, B, C);
        // A: 10 of 19 failed (rate above 50 %, volume below 20). B: 12 of 20 failed.
        outcomes(lb, A, 9, 10, true);
        outcomes(lb, B, 8, 12, true);
        outcomes(lb, C, 100, 1, true);
        scheduler.advance(Duration.ofSeconds(10));
        assertThat(events).hasSize(1);
        assertThat(events.get(0)).startsWith("ejected 10.0.0.2 for 30s: failure rate 60.0% over 20 requests");
        // The window restarts: A's old failures do not carry over.
        outcomes(lb, A, 15, 5, true);
        scheduler.advance(Duration.ofSeconds(10));
        assertThat(events).hasSize(1);
    }


    @Test
    void aPassingActiveCheckReturnsAnEjectedEndpointEarly() {
        LoadBalancer lb = balancer(BalancerConfig.defaults(), A, B);
        failures(lb, A, 5);
        lb.checkPassed(A);
        assertThat(events).containsExactly("ejected 10.0.0.1 for 30s: 5 consecutive failures",
                "returned 10.0.0.1: active health check passed");
        assertThat(picked(lb, 10)).contains(A);
        scheduler.advance(Duration.ofSeconds(30)); // the stale timer must not do anything
        assertThat(events).hasSize(2);
    }

    @Test
    void panicModePicksFromAllWhenTooFewAreHealthy() {
        LoadBalancer lb = balancer(BalancerConfig.defaults(), A, B, C, D);
        lb.healthChanged(A, false, "probe failed");
        lb.healthChanged(B, false, "probe failed");
        assertThat(lb.panic()).isFalse(); // 2 of 4 = the threshold: not below it
        assertThat(picked(lb, 40)).containsExactlyInAnyOrder(C, D);
        lb.healthChanged(C, false, "probe failed");
        assertThat(lb.panic()).isTrue();
        assertThat(picked(lb, 40)).containsExactlyInAnyOrder(A, B, C, D);
        lb.healthChanged(A, true, "probe passed");
        assertThat(lb.panic()).isFalse();
        assertThat(picked(lb, 40)).containsExactlyInAnyOrder(A, D);
        assertThat(events).containsExactly("panic true 1/4", "panic false 2/4");
        assertThat(lb.stats().panics()).isEqualTo(1);
    }

    @Test
    void withoutPanicAnAllUnhealthySetRefusesWithTheReason() {
        LoadBalancer lb = balancer(BalancerConfig.defaults().withPanicThreshold(0), A, B);
        lb.healthChanged(A, false, "x");
        lb.healthChanged(B, false, "x");
        assertThatThrownBy(lb::pick).isInstanceOf(NoEndpointsException.class)
                .hasMessageContaining("all 2 endpoints are out of service (ejected 0, unhealthy 2, breaker open 0)");
    }

    @Test
    void membershipChangesDoNotDisturbRequestsInFlight() {
        LoadBalancer lb = balancer(BalancerConfig.defaults(), A, B);
        EndpointState onA = lb.pick();
        assertThat(onA.endpoint().address()).isEqualTo(A);
        assertThat(lb.remove(A)).isTrue();
        assertThat(lb.remove(A)).isFalse();
        assertThat(picked(lb, 10)).containsExactly(B);
        lb.finished(onA, 1_000_000, Outcome.FAILURE); // finishing on a removed endpoint is harmless
        assertThat(onA.outstanding()).isZero();
        lb.add(WeightedEndpoint.of(C));
        assertThat(picked(lb, 10)).containsExactlyInAnyOrder(B, C);
        lb.remove(B);
        lb.remove(C);
        assertThatThrownBy(lb::pick).isInstanceOf(NoEndpointsException.class).hasMessageContaining("every endpoint was removed");
        assertThatThrownBy(() -> lb.reweight(A, 3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a member");
    }

    @Test
    void reweightChangesProportions() {
        LoadBalancer lb = balancer(BalancerConfig.defaults().withStrategy(Strategy.WEIGHTED_ROUND_ROBIN), A, B);
        lb.reweight(B, 3);
        Map<Endpoint, Integer> counts = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            EndpointState s = lb.pick();
            counts.merge(s.endpoint().address(), 1, Integer::sum);
            lb.finished(s, 1, Outcome.SUCCESS);
        }
        assertThat(counts).containsEntry(A, 100).containsEntry(B, 300);
        assertThat(lb.endpoints()).extracting(WeightedEndpoint::weight).containsExactly(1, 3);
    }

    @Test
    void slowStartRampsTheWeightOfAnAddedEndpoint() {
        BalancerConfig config = BalancerConfig.defaults().withStrategy(Strategy.WEIGHTED_ROUND_ROBIN)
                .withSlowStart(Duration.ofSeconds(10), 0.1);
        LoadBalancer lb = balancer(config, A);
        lb.add(WeightedEndpoint.of(B, 100));
        lb.reweight(A, 100);
        EndpointState b = lb.state(B);
        assertThat(b.effectiveWeight()).isEqualTo(10);
        assertThat(lb.stats().endpoints().get(1).status()).isEqualTo(EndpointStatus.SLOW_START);
        scheduler.advance(Duration.ofSeconds(5));
        assertThat(b.effectiveWeight()).isEqualTo(50);
        scheduler.advance(Duration.ofSeconds(5));
        assertThat(b.effectiveWeight()).isEqualTo(100);
        assertThat(lb.stats().endpoints().get(1).status()).isEqualTo(EndpointStatus.HEALTHY);
        assertThat(lb.state(A).effectiveWeight()).isEqualTo(100); // initial members start at full weight
        int before = scheduler.pending();
        scheduler.advance(Duration.ofSeconds(5));
        assertThat(scheduler.pending()).isLessThanOrEqualTo(before); // the ramp timer stopped
    }

    @Test
    void pickOtherNeverReturnsTheEndpointToAvoid() {
        LoadBalancer lb = balancer(BalancerConfig.defaults().withStrategy(Strategy.LEAST_OUTSTANDING), A, B, C);
        EndpointState avoid = lb.state(A);
        for (int i = 0; i < 200; i++) {
            EndpointState other = lb.pickOther(avoid);
            assertThat(other).isNotSameAs(avoid);
            lb.finished(other, 1, Outcome.SUCCESS);
        }
        LoadBalancer single = balancer(BalancerConfig.defaults(), D);
        assertThat(single.pickOther(single.state(D))).isNull();
    }

    @Test
    void aThrowingListenerDoesNotBreakTheBalancer() {
        LoadBalancer lb = LoadBalancer.builder(BalancerConfig.defaults())
                .endpoints(List.of(WeightedEndpoint.of(A), WeightedEndpoint.of(B)))
                .listener(new BalancerListener() {
                    @Override
                    public void ejected(Endpoint endpoint, String reason, Duration duration) {
                        throw new IllegalStateException("listener bug");
                    }
                })
                .time(scheduler.ticker(), scheduler).build();
        failures(lb, A, 5);
        assertThat(picked(lb, 10)).containsExactly(B);
    }

    @Test
    void closeStopsTheTimers() {
        LoadBalancer lb = balancer(BalancerConfig.defaults(), A, B);
        failures(lb, A, 5);
        lb.close();
        lb.close();
        scheduler.advance(Duration.ofMinutes(5));
        assertThat(events).hasSize(1); // no return, no sweep after close
        assertThat(scheduler.pending()).isZero();
        assertThatThrownBy(() -> lb.add(WeightedEndpoint.of(C))).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void aLocalZoneIsPreferredAndSpillsOverInProportionToItsHealth() {
        List<WeightedEndpoint> list = List.of(
                new WeightedEndpoint(A, 1, "zone-a", Map.of()),
                new WeightedEndpoint(B, 1, "zone-a", Map.of()),
                new WeightedEndpoint(C, 1, "zone-b", Map.of()));
        LoadBalancer lb = LoadBalancer.builder(BalancerConfig.defaults().withLocalZone("zone-a").withPanicThreshold(0))
                .endpoints(list).time(scheduler.ticker(), scheduler).build();
        assertThat(picked(lb, 100)).containsExactlyInAnyOrder(A, B); // a healthy local zone keeps everything
        lb.healthChanged(B, false, "probe failed");
        Map<Endpoint, Integer> counts = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            EndpointState s = lb.pick();
            counts.merge(s.endpoint().address(), 1, Integer::sum);
            lb.finished(s, 1, Outcome.SUCCESS);
        }
        // Half the local zone healthy: min(1, 0.5 x 1.4) = 70 % stays local (sigma about 46 picks).
        assertThat(counts.get(A)).isBetween(6_500, 7_500);
        assertThat(counts.get(C)).isBetween(2_500, 3_500);
        assertThat(counts).doesNotContainKey(B);
    }

    @Test
    void aCombinedListenerTellsEachInOrderEvenAfterOneThrows() {
        List<String> heard = new ArrayList<>();
        BalancerListener throwing = new BalancerListener() {
            @Override
            public void ejected(Endpoint endpoint, String reason, Duration duration) {
                heard.add("first");
                throw new IllegalStateException("listener bug");
            }
        };
        BalancerListener second = new BalancerListener() {
            @Override
            public void ejected(Endpoint endpoint, String reason, Duration duration) {
                heard.add("second " + endpoint.host());
            }
        };
        BalancerListener.all(throwing, second).ejected(A, "test", Duration.ofSeconds(1));
        assertThat(heard).containsExactly("first", "second 10.0.0.1");
    }
}
