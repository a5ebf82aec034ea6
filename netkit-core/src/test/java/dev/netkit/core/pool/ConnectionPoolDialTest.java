package dev.netkit.core.pool;

import static dev.netkit.core.pool.ConnectionPoolAcquireTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.backoff.ExponentialBackoff;
import dev.netkit.core.pool.FakeConnector.Conn;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Opening connections on a manual clock: failed dials back off exponentially with jitter and make
 * acquirers fail fast while nothing is open; the dial timeout fails a dial that never completes
 * and discards a connection that arrives late; at most {@code maxConcurrentDials} run at once;
 * lost connections are replaced after a random delay; and a connection the peer closes right
 * after it opened counts as a failed dial, so a server that accepts and hangs up is not hammered.
 */
class ConnectionPoolDialTest extends ManualClockPoolTest {
    private static final ExponentialBackoff BACKOFF = new ExponentialBackoff(Duration.ofSeconds(1), 2.0, 0.2, Duration.ofSeconds(30));

    @Test
    void refusedDialFailsTheWaiterThenAcquiresFailFastUntilTheBackoffEnds() {
        var pool = pool(config().maxTotal(2).dialBackoff(BACKOFF));
        connector.hold = true;
        CompletableFuture<Lease<Conn>> first = pool.acquire();
        assertThat(first).as("waits for the dial").isNotDone();
        assertThat(connector.dials).hasValue(1);

        ConnectException refused = new ConnectException("Connection refused");
        connector.failHeld(refused);
        EndpointDownException down = failure(first, EndpointDownException.class);
        assertThat(down.getCause()).isSameAs(refused);
        assertThat(down.getMessage()).contains(ENDPOINT + " is down: 1 dial(s) failed in a row").contains("Connection refused");
        assertThat(down.stats().dialFailures()).isEqualTo(1);
        assertThat(listener.dialFailures).containsExactly(refused);
        assertThat(listener.acquireFailures).containsExactly(down);

        long failedFastBefore = pool.stats().failedFast();
        for (int i = 0; i < 5; i++) {
            CompletableFuture<Lease<Conn>> during = pool.acquire();
            EndpointDownException fast = failure(during, EndpointDownException.class);
            assertThat(fast.getCause()).isSameAs(refused);
            advanceMillis(150); // 750 ms in all: still within the shortest possible backoff (800 ms)
        }
        assertThat(pool.stats().failedFast() - failedFastBefore).isEqualTo(5);
        assertThat(pool.stats().pending()).isZero();
        assertThat(connector.dials).as("no dial during the backoff").hasValue(1);

        advanceMillis(450); // 1.2 s: the longest possible first backoff is over
        CompletableFuture<Lease<Conn>> after = pool.acquire();
        assertThat(after).as("a new dial is tried").isNotDone();
        assertThat(connector.dials).hasValue(2);
        connector.completeHeld();
        assertThat(after).isCompleted();
        after.join().release();
        assertThat(pool.stats().dialFailures()).isEqualTo(1);
    }

    @Test
    void resetBackoffEndsTheFailFastAtOnceAndAFailedRedialResumesTheBackoff() {
        var pool = pool(config().maxTotal(2).dialBackoff(BACKOFF));
        connector.hold = true;
        CompletableFuture<Lease<Conn>> first = pool.acquire();
        connector.failHeld(new ConnectException("Connection refused"));
        failure(first, EndpointDownException.class);
        assertThat(pool.isDown()).isTrue();

        pool.resetBackoff(); // e.g. a health check passed
        assertThat(pool.isDown()).isFalse();
        CompletableFuture<Lease<Conn>> redial = pool.acquire();
        assertThat(redial).as("dials at once, no fail-fast").isNotDone();
        assertThat(connector.dials).hasValue(2);
        connector.failHeld(new ConnectException("Connection refused"));
        EndpointDownException again = failure(redial, EndpointDownException.class);
        assertThat(again.getMessage()).contains("2 dial(s) failed in a row"); // the backoff went on, one step further
        assertThat(pool.isDown()).isTrue();
        advanceMillis(1_500); // past the first step (<= 1.2 s) but within the second (>= 1.6 s)
        assertThat(pool.isDown()).isTrue();
    }

    @Test
    void aDialFailureWhileConnectionsAreOpenDoesNotFailWaitersFast() {
        var pool = pool(config().maxTotal(2).dialBackoff(BACKOFF));
        Lease<Conn> open = done(pool.acquire());
        connector.refuse = new IllegalStateException("refused");
        CompletableFuture<Lease<Conn>> waiting = pool.acquire();
        assertThat(pool.stats().dialFailures()).isEqualTo(1);
        assertThat(waiting).as("a connection is open: keep waiting for it").isNotDone();
        CompletableFuture<Lease<Conn>> another = pool.acquire();
        assertThat(another).isNotDone();
        open.release();
        assertThat(waiting).isCompleted();
        waiting.join().release();
        done(another).release();
    }

    @Test
    void aConnectorThatThrowsCountsAsAFailedDial() {
        Connector<Conn> throwing = new Connector<>() {
            @Override
            public CompletionStage<Conn> connect(dev.netkit.core.endpoint.Endpoint endpoint, Runnable onClosed) {
                throw new IllegalStateException("connector bug");
            }

            @Override
            public boolean isUsable(Conn connection) {
                return true;
            }

            @Override
            public void close(Conn connection) {}
        };
        var pool = pool(ConnectionPool.builder(ENDPOINT, throwing).config(config().build()));
        EndpointDownException down = failure(pool.acquire(), EndpointDownException.class);
        assertThat(down.getCause()).isInstanceOf(IllegalStateException.class).hasMessage("connector bug");
        assertThat(pool.stats().dialFailures()).isEqualTo(1);
        assertThat(pool.stats().dialing()).isZero();
    }

    @Test
    void warmUpFailsWithTheDialErrorWhenTheEndpointIsDown() {
        connector.refuse = new IllegalStateException("refused");
        var pool = pool(config().minIdle(2).maxTotal(2).dialBackoff(BACKOFF));
        assertThat(connector.dials).hasValue(2);
        CompletableFuture<Void> warm = pool.warmUp();
        assertThat(warm).isNotDone();
        advanceMillis(1_200); // the retry after the backoff fails too
        EndpointDownException down = failure(warm, EndpointDownException.class);
        assertThat(down.getCause()).isSameAs(connector.refuse);
        connector.refuse = null;
        advance(Duration.ofSeconds(3));
        assertThat(pool.warmUp()).isCompleted();
        assertThat(pool.stats().total()).isEqualTo(2);
    }

    @Test
    void backoffIsJitteredPerPoolAndGrowsWithEachFailure() {
        int pools = 20;
        List<FakeConnector> connectors = new ArrayList<>();
        for (int i = 0; i < pools; i++) {
            FakeConnector c = new FakeConnector();
            c.refuse = new IllegalStateException("refused");
            connectors.add(c);
            pool(ConnectionPool.builder(ENDPOINT, c).config(config().minIdle(1).dialBackoff(BACKOFF).build()));
        }
        long[] firstRetry = new long[pools];
        long[] secondRetry = new long[pools];
        for (int ms = 1; ms <= 4_000; ms++) {
            advanceMillis(1);
            for (int i = 0; i < pools; i++) {
                int dials = connectors.get(i).dials.get();
                if (dials >= 2 && firstRetry[i] == 0) {
                    firstRetry[i] = ms;
                }
                if (dials >= 3 && secondRetry[i] == 0) {
                    secondRetry[i] = ms;
                }
                assertThat(dials).as("never more than one dial per backoff step").isLessThanOrEqualTo(3);
            }
        }
        HashSet<Long> distinct = new HashSet<>();
        for (int i = 0; i < pools; i++) {
            assertThat(firstRetry[i]).as("first retry: 1 s ± 20 %%").isBetween(800L, 1_200L);
            assertThat(secondRetry[i] - firstRetry[i]).as("second retry: 2 s ± 20 %%").isBetween(1_600L, 2_400L);
            distinct.add(firstRetry[i]);
        }
        assertThat(distinct).as("pools that failed together do not retry together").hasSizeGreaterThan(pools / 2);
    }

    @Test
    void parallelDialsFailingTogetherMoveTheBackoffOneStep() {
        connector.refuse = new IllegalStateException("refused");
        var pool = pool(config().minIdle(4).maxTotal(4).maxConcurrentDials(4).dialBackoff(BACKOFF));
        assertThat(connector.dials).as("four dials at once").hasValue(4);
        assertThat(pool.stats().dialFailures()).isEqualTo(4);
        advanceMillis(1_200);
        assertThat(connector.dials).as("retried after the first step (1 s), not the fourth (8 s)").hasValue(8);
        advanceMillis(2_400);
        assertThat(connector.dials).as("then after the second step (2 s)").hasValue(12);
        assertThat(failure(pool.acquire(), EndpointDownException.class).getMessage())
                .as("three rounds of four dials: three steps").contains("3 dial(s) failed in a row");
    }

    @Test
    void aConnectionThatSurvivesResetsTheBackoff() {
        connector.refuse = new IllegalStateException("refused");
        var pool = pool(config().minIdle(1).maxTotal(1).dialBackoff(BACKOFF));
        advance(Duration.ofSeconds(4)); // dials at 0, ~1 and ~3 s failed: the next step is 8 s ± 20 %
        assertThat(connector.dials).hasValue(3);
        connector.refuse = null;
        advance(Duration.ofSeconds(10)); // the 4th dial succeeds
        assertThat(pool.stats().total()).isEqualTo(1);
        advance(Duration.ofSeconds(3)); // it outlived the first backoff step: the maintenance pass calls it healthy
        int dials = connector.dials.get();
        connector.refuse = new IllegalStateException("refused again");
        connector.conn(1).closeFromPeer(); // lost; the replacement dial fails
        assertThat(connector.dials).hasValue(dials + 1);
        advanceMillis(1_200);
        assertThat(connector.dials).as("retried after the first backoff step again, not after 16 s").hasValue(dials + 2);
    }

    @Test
    void aDialThatNeverCompletesTimesOutAndALateConnectionIsClosed() {
        var pool = pool(config().maxTotal(2).dialTimeout(Duration.ofSeconds(2)).dialBackoff(BACKOFF));
        connector.hold = true;
        CompletableFuture<Lease<Conn>> f = pool.acquire(Duration.ofSeconds(30));
        advanceMillis(1_999);
        assertThat(f).isNotDone();
        assertThat(pool.stats().dialing()).isEqualTo(1);
        advanceMillis(1);
        EndpointDownException down = failure(f, EndpointDownException.class);
        assertThat(down.getCause()).isInstanceOf(TimeoutException.class).hasMessageContaining("dialTimeout PT2S");
        assertThat(pool.stats().dialing()).isZero();
        assertThat(pool.stats().dialFailures()).isEqualTo(1);

        connector.completeHeld();
        Conn late = connector.conn(1);
        assertThat(late.closedByPool).as("arrived after the dial timeout: closed").isTrue();
        PoolStats s = pool.stats();
        assertThat(s.total()).isZero();
        assertThat(s.created()).isZero();
        assertThat(listener.opened).hasValue(0);
    }

    @Test
    void atMostMaxConcurrentDialsRunAtOnce() {
        var pool = pool(config().maxTotal(8).maxConcurrentDials(2));
        connector.hold = true;
        List<CompletableFuture<Lease<Conn>>> acquires = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            acquires.add(pool.acquire());
        }
        assertThat(connector.heldCount()).isEqualTo(2);
        assertThat(pool.stats().dialing()).isEqualTo(2);
        int rounds = 0;
        while (acquires.stream().anyMatch(f -> !f.isDone())) {
            assertThat(connector.heldCount()).isBetween(1, 2);
            connector.completeHeld();
            assertThat(pool.stats().dialing()).isLessThanOrEqualTo(2);
            rounds++;
        }
        assertThat(rounds).isEqualTo(4);
        assertThat(connector.dials).as("one per waiter, none extra").hasValue(7);
        assertThat(pool.stats().total()).isEqualTo(7);
        acquires.forEach(f -> f.join().release());
    }

    @Test
    void aLostConnectionIsReplacedAfterARandomDelayUpToRedialDelayMax() {
        int pools = 20;
        Duration max = Duration.ofMillis(500);
        List<FakeConnector> connectors = new ArrayList<>();
        for (int i = 0; i < pools; i++) {
            FakeConnector c = new FakeConnector();
            connectors.add(c);
            pool(ConnectionPool.builder(ENDPOINT, c).config(config().minIdle(1).redialDelayMax(max).build()));
        }
        advance(Duration.ofSeconds(5)); // not "closed right after opening"
        connectors.forEach(c -> c.conn(1).closeFromPeer());
        long[] redialAt = new long[pools];
        for (int ms = 0; ms <= 600; ms++) {
            for (int i = 0; i < pools; i++) {
                if (redialAt[i] == 0 && connectors.get(i).dials.get() == 2) {
                    redialAt[i] = ms;
                }
            }
            advanceMillis(1);
        }
        HashSet<Long> distinct = new HashSet<>();
        for (int i = 0; i < pools; i++) {
            assertThat(connectors.get(i).dials).hasValue(2);
            assertThat(redialAt[i]).isBetween(0L, max.toMillis());
            distinct.add(redialAt[i]);
        }
        assertThat(distinct).as("clients that lost the same server do not all reconnect at once").hasSizeGreaterThan(pools / 2);
    }

    @Test
    void aConnectionClosedBeforeItsDialCompletedIsAFailedDialAndBacksOff() {
        connector.beforeDelivery = Conn::closeFromPeer;
        var pool = pool(config().minIdle(1).maxTotal(4).dialBackoff(BACKOFF));
        assertThat(pool.stats().dialFailures()).isEqualTo(1);
        EndpointDownException down = failure(pool.acquire(), EndpointDownException.class);
        assertThat(down.getCause()).hasMessageContaining("closed as soon as it opened");
        for (int i = 0; i < 1_000; i++) { // 10 s
            advanceMillis(10);
        }
        // backoff 1 + 2 + 4 s (± 20 %): 3 or 4 dials in 10 s, not thousands
        assertThat(connector.dials.get()).isBetween(3, 5);
        assertThat(pool.stats().dialFailures()).isEqualTo(connector.dials.get());
        assertThat(pool.stats().created()).isZero();
        assertThat(connector.openCount()).isZero();
    }

    @Test
    void aConnectionClosedByThePeerRightAfterItJoinedIsAFailedDialAndBacksOff() {
        listener.afterOpened = () -> {
            List<Conn> all = connector.created();
            all.get(all.size() - 1).closeFromPeer();
        };
        var pool = pool(config().minIdle(1).maxTotal(4).dialBackoff(BACKOFF));
        assertThat(pool.stats().dialFailures()).isEqualTo(1);
        assertThat(pool.stats().closed(CloseReason.PEER_CLOSED)).isEqualTo(1);
        failure(pool.acquire(), EndpointDownException.class);
        for (int i = 0; i < 1_000; i++) {
            advanceMillis(10);
        }
        assertThat(connector.dials.get()).isBetween(3, 5);
        PoolStats s = pool.stats();
        assertThat(s.dialFailures()).isEqualTo(connector.dials.get());
        assertThat(s.created()).isEqualTo(connector.dials.get());
        assertThat(s.closed(CloseReason.PEER_CLOSED)).isEqualTo(s.created());
        assertThat(listener.dialFailures).as("the listener hears of them like the stats").hasSize((int) s.dialFailures());
        assertThat(connector.openCount()).isZero();
    }
}
