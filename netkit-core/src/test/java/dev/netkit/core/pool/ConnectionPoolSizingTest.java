package dev.netkit.core.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.pool.FakeConnector.Conn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Sizing on a manual clock: min idle is opened at start and refilled after a loss, max total is
 * never exceeded however many acquirers wait, and shared connections
 * ({@code maxLeasesPerConnection > 1}) are leased least-loaded first with a new connection opened
 * only once every open one is at its limit.
 */
class ConnectionPoolSizingTest extends ManualClockPoolTest {

    @Test
    void minIdleIsOpenedAtStartAndRefilledAfterALoss() {
        var pool = pool(config().minIdle(3).maxTotal(5).redialDelayMax(Duration.ofMillis(500)));

        assertThat(pool.warmUp()).isCompleted();
        PoolStats s = pool.stats();
        assertThat(s.total()).isEqualTo(3);
        assertThat(s.idle()).isEqualTo(3);
        assertThat(s.created()).isEqualTo(3);
        assertThat(connector.dials).hasValue(3);
        assertThat(listener.opened).hasValue(3);

        advance(Duration.ofSeconds(5)); // old enough not to count as "closed right after opening"
        connector.conn(2).closeFromPeer();
        assertThat(pool.stats().total()).isEqualTo(2);
        assertThat(pool.stats().closed(CloseReason.PEER_CLOSED)).isEqualTo(1);

        advanceMillis(500); // the random re-dial delay is at most redialDelayMax
        s = pool.stats();
        assertThat(s.total()).as("refilled to min idle").isEqualTo(3);
        assertThat(s.idle()).isEqualTo(3);
        assertThat(s.created()).isEqualTo(4);
        assertThat(connector.conn(4).open).isTrue();

        advance(Duration.ofSeconds(30));
        assertThat(connector.dials).as("no dials beyond min idle while nothing is used").hasValue(4);
    }

    @Test
    void minIdleOfExclusiveConnectionsCountsIdleOnesSoLeasingOneOpensAReplacement() {
        var pool = pool(config().minIdle(2).maxTotal(3));
        Lease<Conn> a = pool.tryAcquire();
        Lease<Conn> b = pool.tryAcquire();
        assertThat(a).isNotNull();
        assertThat(b).isNotNull();
        advance(Duration.ofSeconds(1)); // the maintenance pass notices min idle is not met
        assertThat(pool.stats().total()).as("capped by maxTotal, not min idle + leased").isEqualTo(3);
        assertThat(pool.stats().idle()).isEqualTo(1);
        a.release();
        b.release();
        assertThat(pool.stats().idle()).isEqualTo(3);
    }

    @Test
    void maxTotalIsNeverExceededHoweverManyWait() {
        var pool = pool(config().maxTotal(4));
        List<CompletableFuture<Lease<Conn>>> acquires = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            acquires.add(pool.acquire());
            assertThat(pool.stats().total()).isLessThanOrEqualTo(4);
        }
        assertThat(acquires.stream().filter(CompletableFuture::isDone)).hasSize(4);
        assertThat(connector.dials).hasValue(4);
        PoolStats s = pool.stats();
        assertThat(s.summary()).isEqualTo("total=4 leased=4 idle=0 waiting=6 dialing=0 in_flight=4");

        // Every release goes to the next waiter in arrival order, on the same connection.
        for (int i = 0; i < 6; i++) {
            Lease<Conn> done = acquires.get(i).join();
            done.release();
            assertThat(acquires.get(4 + i)).isCompleted();
            assertThat(acquires.get(4 + i).join().connection()).isSameAs(done.connection());
        }
        assertThat(connector.dials).hasValue(4);
        for (int i = 6; i < 10; i++) {
            acquires.get(i).join().release();
        }
        assertThat(pool.stats().summary()).isEqualTo("total=4 leased=0 idle=4 waiting=0 dialing=0 in_flight=0");
    }

    @Test
    void maxTotalHoldsAtTheConnectorWhileAConnectionIsBeingClosed() {
        var pool = pool(config().maxTotal(1));
        Lease<Conn> lease = done(pool.acquire());
        List<CompletableFuture<Lease<Conn>>> raced = new ArrayList<>();
        // Another acquirer arrives while the pool is closing the only connection.
        connector.duringClose = c -> raced.add(pool.acquire());
        lease.invalidate();
        connector.duringClose = null;
        assertThat(connector.maxOpenAtConnect).as("the new dial waited for the old connection to close").isEqualTo(1);
        assertThat(raced).hasSize(1);
        assertThat(raced.get(0)).isCompleted();
        assertThat(raced.get(0).join().connection().id).isEqualTo(2);
        raced.get(0).join().release();
    }

    @Test
    void sharedConnectionsAreLeasedLeastLoadedFirstAndGrowOnlyWhenAllAreFull() {
        var pool = pool(config().maxTotal(3).maxLeasesPerConnection(3));
        List<Lease<Conn>> onFirst = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            onFirst.add(done(pool.acquire()));
        }
        assertThat(onFirst).extracting(l -> l.connection().id).containsOnly(1);
        assertThat(connector.dials).as("one connection carries three leases").hasValue(1);

        Lease<Conn> fourth = done(pool.acquire());
        assertThat(fourth.connection().id).as("all at the limit: a second connection").isEqualTo(2);

        onFirst.remove(0).release(); // conn1 carries 2, conn2 carries 1
        Lease<Conn> fifth = done(pool.acquire());
        assertThat(fifth.connection().id).as("least loaded").isEqualTo(2);
        Lease<Conn> sixth = done(pool.acquire()); // 2 and 2: either
        Lease<Conn> seventh = done(pool.acquire()); // then the other one
        assertThat(List.of(sixth.connection().id, seventh.connection().id)).containsExactlyInAnyOrder(1, 2);
        assertThat(connector.dials).hasValue(2);
        assertThat(pool.stats().inFlight()).isEqualTo(6);

        Lease<Conn> eighth = done(pool.acquire());
        assertThat(eighth.connection().id).isEqualTo(3);
        assertThat(connector.dials).hasValue(3);
        for (int i = 0; i < 2; i++) {
            done(pool.acquire());
        }
        CompletableFuture<Lease<Conn>> waiting = pool.acquire();
        assertThat(waiting).as("9 leases on 3 connections: full").isNotDone();
        assertThat(pool.stats().summary()).isEqualTo("total=3 leased=3 idle=0 waiting=1 dialing=0 in_flight=9");
        assertThat(connector.dials).hasValue(3);

        fifth.release();
        assertThat(waiting).isCompleted();
        assertThat(waiting.join().connection().id).isEqualTo(2);
        for (Conn c : connector.created()) {
            assertThat(c.open).isTrue();
        }
    }

    @Test
    void minIdleOfSharedConnectionsCountsConnectionsWithRoom() {
        var pool = pool(config().minIdle(1).maxTotal(4).maxLeasesPerConnection(2));
        Lease<Conn> a = done(pool.acquire());
        advance(Duration.ofSeconds(3));
        assertThat(pool.stats().total()).as("the first connection still has room: min idle is met").isEqualTo(1);
        Lease<Conn> b = done(pool.acquire());
        assertThat(b.connection()).isSameAs(a.connection());
        advance(Duration.ofSeconds(1));
        assertThat(pool.stats().total()).as("full now: one more with room is opened").isEqualTo(2);
        assertThat(pool.stats().idle()).isEqualTo(1);
        a.release();
        b.release();
    }
}
