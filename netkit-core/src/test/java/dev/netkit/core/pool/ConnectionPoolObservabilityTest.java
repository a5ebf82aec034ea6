package dev.netkit.core.pool;

import static dev.netkit.core.pool.ConnectionPoolAcquireTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.NetkitException;
import dev.netkit.core.pool.FakeConnector.Conn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What the pool reports, on a manual clock: listener callbacks for every event with the right
 * endpoint and reason, a listener that throws from every callback changes nothing about how the
 * pool behaves, and the stats counters (created, closed by reason, dial failures, reuse rate,
 * acquire wait times) add up.
 */
class ConnectionPoolObservabilityTest extends ManualClockPoolTest {

    @Test
    void listenerHearsOpenedClosedDialFailedAndAcquireFailed() {
        var pool = pool(config().minIdle(1).maxTotal(2).maxPending(1).dialBackoff(
                new dev.netkit.core.backoff.ExponentialBackoff(Duration.ofMillis(100), 2, 0, Duration.ofSeconds(1))));
        assertThat(listener.opened).hasValue(1);

        Lease<Conn> a = done(pool.acquire());
        Lease<Conn> b = done(pool.acquire());
        assertThat(listener.opened).hasValue(2);
        CompletableFuture<Lease<Conn>> timesOut = pool.acquire(Duration.ofSeconds(1));
        CompletableFuture<Lease<Conn>> rejected = pool.acquire();
        advance(Duration.ofSeconds(1));
        assertThat(listener.acquireFailures).hasSize(2);
        assertThat(listener.acquireFailures.get(0)).isInstanceOf(PoolExhaustedException.class).isSameAs(failure(rejected, NetkitException.class));
        assertThat(listener.acquireFailures.get(1)).isInstanceOf(AcquireTimeoutException.class).isSameAs(failure(timesOut, NetkitException.class));

        connector.refuse = new IllegalStateException("refused");
        a.invalidate();
        assertThat(listener.closed).containsExactly(CloseReason.ERROR);
        assertThat(listener.dialFailures).as("min idle refill failed").containsExactly(connector.refuse);
        b.invalidate();
        assertThat(listener.closed).containsExactly(CloseReason.ERROR, CloseReason.ERROR);
        failure(pool.acquire(), EndpointDownException.class);
        assertThat(listener.acquireFailures).hasSize(3).last().isInstanceOf(EndpointDownException.class);

        connector.refuse = null;
        advance(Duration.ofSeconds(1));
        assertThat(listener.opened).hasValue(3);
        pool.close();
        assertThat(listener.closed).containsExactly(CloseReason.ERROR, CloseReason.ERROR, CloseReason.POOL_CLOSED);
        assertThat(listener.endpoints).containsOnly(ENDPOINT);
    }

    @Test
    void aListenerThatThrowsEverywhereDoesNotBreakThePool() {
        AtomicInteger calls = new AtomicInteger();
        PoolListener hostile = new PoolListener() {
            @Override
            public void connectionOpened(Endpoint endpoint) {
                throw boom();
            }

            @Override
            public void connectionClosed(Endpoint endpoint, CloseReason reason) {
                throw boom();
            }

            @Override
            public void dialFailed(Endpoint endpoint, Throwable cause) {
                throw boom();
            }

            @Override
            public void acquireFailed(Endpoint endpoint, NetkitException failure) {
                throw boom();
            }

            @Override
            public void leakSuspected(Endpoint endpoint, Throwable acquiredAt) {
                throw boom();
            }

            private RuntimeException boom() {
                calls.incrementAndGet();
                // no stack trace: the pool logs each one, and the log needs no 9 copies of this test's stack
                return new IllegalStateException("listener bug (expected by this test)", null) {
                    @Override
                    public synchronized Throwable fillInStackTrace() {
                        return this;
                    }
                };
            }
        };
        var pool = ConnectionPool.builder(ENDPOINT, connector)
                .config(config().minIdle(1).maxTotal(1).maxPending(1).leakDetectionThreshold(Duration.ofSeconds(1)).build())
                .listener(hostile).time(time.ticker(), time).build();
        try {
            assertThat(pool.stats().total()).isEqualTo(1);
            Lease<Conn> a = done(pool.acquire());
            CompletableFuture<Lease<Conn>> waiting = pool.acquire(Duration.ofSeconds(2));
            failure(pool.acquire(), PoolExhaustedException.class);
            advance(Duration.ofSeconds(2)); // leak report and timeout
            failure(waiting, AcquireTimeoutException.class);
            CompletableFuture<Lease<Conn>> next = pool.acquire();
            a.invalidate(); // closed; replacement dialled and handed to `next`
            assertThat(next).isCompleted();
            connector.refuse = new IllegalStateException("refused");
            next.join().invalidate();
            failure(pool.acquire(), EndpointDownException.class);
            assertThat(calls.get()).as("every kind of callback threw").isGreaterThanOrEqualTo(8);
            PoolStats s = pool.stats();
            assertThat(s.created()).isEqualTo(2);
            assertThat(s.closed(CloseReason.ERROR)).isEqualTo(2);
            assertThat(s.pending()).isZero();
            assertThat(s.dialing()).isZero();
        } finally {
            pool.close();
        }
        assertThat(pool.isClosed()).isTrue();
    }

    @Test
    void statsCountCreatedClosedByReasonDialFailuresReuseAndWaits() {
        var pool = pool(config().minIdle(1).maxTotal(2).idleTimeout(Duration.ofSeconds(30)));
        for (int i = 0; i < 4; i++) {
            done(pool.acquire()).release();
        }
        PoolStats s = pool.stats();
        assertThat(s.acquired()).isEqualTo(4);
        assertThat(s.reused()).isEqualTo(3);
        assertThat(s.reuseRate()).isEqualTo(0.75);

        Lease<Conn> a = done(pool.acquire());
        Lease<Conn> b = done(pool.acquire()); // a new connection, never leased before
        CompletableFuture<Lease<Conn>> waited = pool.acquire();
        advance(Duration.ofMillis(250));
        a.release();
        Lease<Conn> c = done(waited);
        s = pool.stats();
        assertThat(s.acquired()).isEqualTo(7);
        assertThat(s.reused()).isEqualTo(5);
        assertThat(s.acquireWait().count()).as("every acquire, immediate ones as zero").isEqualTo(7);
        assertThat(s.acquireWait().max()).isBetween(Duration.ofMillis(249).toNanos(), Duration.ofMillis(251).toNanos());
        assertThat(s.acquireWait().p50()).isZero();

        b.invalidate(); // conn1 is leased: conn3 is dialled for min idle
        c.release();
        assertThat(pool.stats().created()).isEqualTo(3);
        advance(Duration.ofSeconds(5));
        connector.refuse = new IllegalStateException("refused");
        connector.conn(1).closeFromPeer();
        connector.conn(3).closeFromPeer(); // the refill fails
        s = pool.stats();
        assertThat(s.closed(CloseReason.ERROR)).isEqualTo(1);
        assertThat(s.closed(CloseReason.PEER_CLOSED)).isEqualTo(2);
        assertThat(s.closed()).isEqualTo(3);
        assertThat(s.created()).isEqualTo(3);
        assertThat(s.created()).isEqualTo(s.closed() + s.total());
        assertThat(s.dialFailures()).isEqualTo(1);
        assertThat(s.endpoint()).isEqualTo(ENDPOINT);
        assertThat(s.toString()).contains("created=3").contains("closed=3").contains("dial_failures=1")
                .contains("reuse_rate=0.7143");
        assertThat(pool.toString()).contains(ENDPOINT.toString()).contains("total=0");
    }

    @Test
    void statsCountWhatIsIdleLeasedInFlightAndValidating() {
        List<CompletableFuture<Boolean>> held = new ArrayList<>();
        var pool = pool(ConnectionPool.builder(ENDPOINT, connector)
                .validator(c -> {
                    CompletableFuture<Boolean> f = new CompletableFuture<>();
                    held.add(f);
                    return f;
                })
                .config(config().minIdle(3).maxTotal(3).maxLeasesPerConnection(2).validationShare(0.4)
                        .validationInterval(Duration.ofSeconds(2)).validationTimeout(Duration.ofMinutes(1)).build()));
        advance(Duration.ofSeconds(2));
        assertThat(held).hasSize(1);
        PoolStats s = pool.stats();
        assertThat(s.validating()).isEqualTo(1);
        assertThat(s.idle()).isEqualTo(2);
        assertThat(s.leased()).isZero();
        assertThat(s.inFlight()).as("a validation is not a lease").isZero();
        Lease<Conn> x = done(pool.acquire());
        Lease<Conn> y = done(pool.acquire());
        s = pool.stats();
        assertThat(s.inFlight()).isEqualTo(2);
        assertThat(s.leased() + s.idle() + s.validating()).isLessThanOrEqualTo(s.total());
        held.forEach(f -> f.complete(true));
        x.release();
        y.release();
        assertThat(pool.stats().summary()).isEqualTo("total=3 leased=0 idle=3 waiting=0 dialing=0 in_flight=0");
    }
}
