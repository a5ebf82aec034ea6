package dev.netkit.core.balance;

import static dev.netkit.core.balance.Traffic.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.NoEndpointsException;
import dev.netkit.core.time.ManualScheduler;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An operator's drain and enable (maintenance mode), and picking one endpoint for session affinity. */
class LoadBalancerMaintenanceTest {
    private final ManualScheduler scheduler = new ManualScheduler();

    private LoadBalancer balancer(Endpoint... endpoints) {
        return LoadBalancer.builder(BalancerConfig.defaults())
                .endpoints(java.util.Arrays.stream(endpoints).map(WeightedEndpoint::of).toList())
                .time(scheduler.ticker(), scheduler).build();
    }

    private static Endpoint pickAndFinish(LoadBalancer lb) {
        EndpointState s = lb.pick();
        lb.finished(s, 1_000, Outcome.SUCCESS);
        return s.endpoint().address();
    }

    @Test
    void aDrainedEndpointIsNotPickedUntilEnabled() {
        LoadBalancer lb = balancer(A, B);
        assertThat(lb.drain(A)).isTrue();
        for (int i = 0; i < 20; i++) {
            assertThat(pickAndFinish(lb)).isEqualTo(B);
        }
        assertThat(lb.stats().endpoints()).filteredOn(e -> e.address().equals(A))
                .singleElement().extracting(EndpointStats::status).isEqualTo(EndpointStatus.DRAINED);
        assertThat(lb.enable(A)).isTrue();
        assertThat(java.util.stream.IntStream.range(0, 20).mapToObj(i -> pickAndFinish(lb)).distinct()).contains(A, B);
        assertThat(lb.drain(C)).as("not a member").isFalse();
    }

    @Test
    void drainingIsNotUndoneByPanicAndDrainingAllLeavesNothingToPick() {
        LoadBalancer lb = balancer(A, B);
        lb.drain(A);
        failures(lb, B, 5); // B ejected: nothing in service; panic must not bring back the drained A
        assertThat(List.of(pickAndFinish(lb), pickAndFinish(lb))).containsOnly(B);
        lb.drain(B);
        assertThatThrownBy(lb::pick).isInstanceOf(NoEndpointsException.class).hasMessageContaining("drained");
    }

    @Test
    void pickIfInServiceTakesThatEndpointOnlyWhileItIsPicked() {
        LoadBalancer lb = balancer(A, B);
        EndpointState a = lb.pickIfInService(A);
        assertThat(a.endpoint().address()).isEqualTo(A);
        assertThat(a.outstanding()).isEqualTo(1);
        lb.finished(a, 1_000, Outcome.SUCCESS);
        lb.drain(A);
        assertThat(lb.pickIfInService(A)).isNull();
        assertThat(lb.pickIfInService(C)).isNull();
    }
}
