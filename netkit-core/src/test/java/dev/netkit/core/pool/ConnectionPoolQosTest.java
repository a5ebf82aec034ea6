package dev.netkit.core.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netkit.core.pool.FakeConnector.Conn;
import dev.netkit.core.qos.QosClass;
import dev.netkit.core.qos.QosPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The waiting line by class of service: when every connection is leased, freed leases go to
 * waiters by the policy (strict first with its starvation bound, then by weight); a full class
 * is refused at once naming itself; without a policy the line stays first come, first served.
 */
class ConnectionPoolQosTest extends ManualClockPoolTest {
    private static final QosPolicy POLICY = new QosPolicy(List.of(new QosClass("control", 1, 10),
            new QosClass("gold", 3, 10), new QosClass("bronze", 1, 2)), "bronze", "control", 2);

    private ConnectionPool<Conn> saturated(QosPolicy qos, List<Lease<Conn>> held) {
        var pool = pool(ConnectionPool.builder(ENDPOINT, connector).config(config().maxTotal(1).build()).qos(qos));
        held.add(done(pool.acquire()));
        return pool;
    }

    @Test
    void freedLeasesGoToWaitersByClass() {
        List<Lease<Conn>> held = new ArrayList<>();
        var pool = saturated(POLICY, held);
        List<String> served = new ArrayList<>();
        List<CompletableFuture<Lease<Conn>>> all = new ArrayList<>();
        String[] arrivals = {"bronze", "bronze", "gold", "gold", "gold", "gold", "control", "control", "control"};
        int n = 0;
        for (String cls : arrivals) {
            String label = cls + (n++);
            CompletableFuture<Lease<Conn>> f = pool.acquire(Duration.ofSeconds(10), POLICY.indexOf(cls));
            f.thenAccept(lease -> served.add(label));
            all.add(f);
        }
        assertThat(pool.pending()).isEqualTo(9);
        Lease<Conn> lease = held.get(0);
        for (int i = 0; i < arrivals.length; i++) {
            lease.release(); // hands the one connection to the next waiter
            lease = all.get(indexOf(arrivals, served.get(i))).join();
        }
        lease.release();
        // control first, but one other after 2 in a row; then gold 3 : bronze 1 per round.
        assertThat(served).containsExactly("control6", "control7", "gold2", "control8", "gold3", "gold4", "bronze0",
                "gold5", "bronze1");
    }

    private static int indexOf(String[] arrivals, String label) {
        return Integer.parseInt(label.replaceAll("\\D", ""));
    }

    @Test
    void aFullClassIsRefusedAtOnceNamingIt() {
        List<Lease<Conn>> held = new ArrayList<>();
        var pool = saturated(POLICY, held);
        int bronze = POLICY.indexOf("bronze");
        pool.acquire(Duration.ofSeconds(1), bronze);
        pool.acquire(Duration.ofSeconds(1), bronze);
        CompletableFuture<Lease<Conn>> refused = pool.acquire(Duration.ofSeconds(1), bronze);
        assertThat(refused).isCompletedExceptionally();
        assertThatThrownBy(refused::join).hasCauseInstanceOf(PoolExhaustedException.class)
                .hasMessageContaining("pool for " + ENDPOINT + ": qos class 'bronze' is full: 2 waiting (capacity 2)");
        assertThat(pool.acquire(Duration.ofSeconds(1), POLICY.indexOf("gold"))).as("another class still waits").isNotDone();
        assertThat(pool.stats().rejected()).isEqualTo(1);
        assertThat(pool.pending()).isEqualTo(3);
        assertThat(pool.stats().classes()).as("the waiting line by class, in the policy's order").containsExactly(
                new PoolStats.ClassWaiters("control", 0, 0), new PoolStats.ClassWaiters("gold", 1, 0),
                new PoolStats.ClassWaiters("bronze", 2, 1));
        assertThatThrownBy(() -> pool.acquire(Duration.ofSeconds(1), 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("qosClass: 3 (expected: 0..2 for [");
        advance(Duration.ofSeconds(1));
        assertThat(pool.pending()).isZero();
        held.forEach(Lease::release);
    }

    @Test
    void withoutAPolicyTheLineIsFirstComeFirstServed() {
        List<Lease<Conn>> held = new ArrayList<>();
        var pool = saturated(null, held);
        assertThat(pool.qos()).isNull();
        List<Integer> served = new ArrayList<>();
        List<CompletableFuture<Lease<Conn>>> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int id = i;
            CompletableFuture<Lease<Conn>> f = i % 2 == 0 ? pool.acquire(Duration.ofSeconds(5)) : pool.acquire(Duration.ofSeconds(5), 0);
            f.thenAccept(l -> served.add(id));
            all.add(f);
        }
        Lease<Conn> lease = held.get(0);
        for (int i = 0; i < 5; i++) {
            lease.release();
            lease = all.get(i).join();
        }
        lease.release();
        assertThat(served).containsExactly(0, 1, 2, 3, 4);
        assertThatThrownBy(() -> pool.acquire(Duration.ofSeconds(1), 1))
                .hasMessage("qosClass: 1 (expected: 0..0; this pool has no qos policy)");
    }
}
