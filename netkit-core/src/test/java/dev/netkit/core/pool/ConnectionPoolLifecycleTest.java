package dev.netkit.core.pool;

import static dev.netkit.core.pool.ConnectionPoolAcquireTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.error.PoolClosedException;
import dev.netkit.core.pool.FakeConnector.Conn;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * How connections leave the pool, on a manual clock: invalidation (reason ERROR), evictAll (idle
 * ones now, leased ones on release, min idle refilled), close (idempotent, waiters fail, leased
 * connections close on release, dials in flight are discarded, later acquires fail), the idle
 * timeout (only above min idle, measured from the last use), the jittered max lifetime, and leak
 * detection.
 */
class ConnectionPoolLifecycleTest extends ManualClockPoolTest {

    @Test
    void invalidateClosesTheConnectionWithReasonError() {
        var pool = pool(config().maxTotal(2));
        Lease<Conn> lease = done(pool.acquire());
        Conn c = lease.connection();
        lease.invalidate();
        assertThat(c.closedByPool).isTrue();
        assertThat(lease.isEnded()).isTrue();
        PoolStats s = pool.stats();
        assertThat(s.total()).isZero();
        assertThat(s.closed(CloseReason.ERROR)).isEqualTo(1);
        assertThat(s.closed()).isEqualTo(1);
        assertThat(listener.closed).containsExactly(CloseReason.ERROR);
        Lease<Conn> next = done(pool.acquire());
        assertThat(next.connection()).isNotSameAs(c);
        pool.invalidate(next);
        assertThat(pool.stats().closed(CloseReason.ERROR)).isEqualTo(2);
    }

    @Test
    void evictAllClosesIdleNowLeasedOnReleaseAndRefillsMinIdle() {
        var pool = pool(config().minIdle(2).maxTotal(4));
        Lease<Conn> leased = pool.tryAcquire();
        assertThat(leased).isNotNull();
        Conn idle = connector.conn(leased.connection().id == 1 ? 2 : 1);

        pool.evictAll();
        assertThat(idle.closedByPool).as("idle: closed now").isTrue();
        assertThat(leased.connection().open).as("leased: still in use").isTrue();
        PoolStats s = pool.stats();
        assertThat(s.closed(CloseReason.EVICTED)).isEqualTo(1);
        assertThat(s.idle()).as("min idle refilled with new connections").isEqualTo(2);
        assertThat(s.total()).isEqualTo(3);
        assertThat(s.created()).isEqualTo(4);

        Lease<Conn> fresh = done(pool.acquire());
        assertThat(fresh.connection().id).as("never an evicted connection").isGreaterThan(2);
        leased.release();
        assertThat(leased.connection().closedByPool).as("closed when its lease ended").isTrue();
        assertThat(pool.stats().closed(CloseReason.EVICTED)).isEqualTo(2);
        fresh.release();
        // While `fresh` was out only one connection was idle, so min idle (idle connections, in
        // exclusive mode) had one more opened when the evicted lease ended.
        assertThat(pool.stats().summary()).startsWith("total=3 leased=0 idle=3");
        assertThat(pool.stats().created()).isEqualTo(5);
        assertThat(listener.closedFor(CloseReason.EVICTED)).isEqualTo(2);
    }

    @Test
    void closeFailsWaitersClosesIdleNowAndLeasedOnRelease() {
        var pool = pool(config().maxTotal(2));
        Lease<Conn> a = done(pool.acquire());
        Lease<Conn> b = done(pool.acquire());
        CompletableFuture<Lease<Conn>> waiting = pool.acquire();

        pool.close();
        assertThat(pool.isClosed()).isTrue();
        failure(waiting, PoolClosedException.class);
        assertThat(pool.stats().pending()).isZero();
        assertThat(a.connection().open).as("a lease out keeps working until released").isTrue();

        a.release();
        assertThat(a.connection().closedByPool).isTrue();
        b.invalidate();
        assertThat(b.connection().closedByPool).isTrue();
        PoolStats s = pool.stats();
        assertThat(s.total()).isZero();
        assertThat(s.closed(CloseReason.POOL_CLOSED)).isEqualTo(1);
        assertThat(s.closed(CloseReason.ERROR) + s.closed(CloseReason.POOL_CLOSED)).isEqualTo(2);

        failure(pool.acquire(), PoolClosedException.class);
        assertThat(pool.tryAcquire()).isNull();
        failure(pool.warmUp(), PoolClosedException.class);
        assertThat(connector.dials).as("a closed pool never dials").hasValue(2);
    }

    @Test
    void closeIsIdempotentClosesIdleConnectionsNowAndDiscardsDialsInFlight() {
        var pool = pool(config().minIdle(2).maxTotal(3));
        connector.hold = true;
        Lease<Conn> leased = pool.tryAcquire();
        Conn idle = connector.conn(leased.connection().id == 1 ? 2 : 1);
        advance(Duration.ofSeconds(1)); // the maintenance pass wants two idle: a dial is held
        assertThat(pool.stats().summary()).isEqualTo("total=2 leased=1 idle=1 waiting=0 dialing=1 in_flight=1");

        pool.close();
        assertThat(idle.closedByPool).as("idle: closed at once").isTrue();
        assertThat(leased.connection().open).as("leased: open until released").isTrue();
        assertThat(pool.stats().closed(CloseReason.POOL_CLOSED)).isEqualTo(1);
        pool.close();
        assertThat(pool.stats().closed(CloseReason.POOL_CLOSED)).as("a second close changes nothing").isEqualTo(1);

        leased.release();
        assertThat(leased.connection().closedByPool).isTrue();
        assertThat(pool.stats().closed(CloseReason.POOL_CLOSED)).isEqualTo(2);

        connector.completeHeld();
        Conn late = connector.conn(3);
        assertThat(late.closedByPool).as("arrived after close: closed, never pooled").isTrue();
        PoolStats s = pool.stats();
        assertThat(s.total()).isZero();
        assertThat(s.dialing()).isZero();
        assertThat(s.created()).isEqualTo(2);
        assertThat(connector.openCount()).isZero();
        advance(Duration.ofMinutes(5));
        assertThat(connector.dials).as("no maintenance or refill after close").hasValue(3);
    }

    @Test
    void idleTimeoutClosesOnlyIdleConnectionsAboveMinIdle() {
        var pool = pool(config().minIdle(1).maxTotal(4).idleTimeout(Duration.ofSeconds(10)));
        Lease<Conn> a = done(pool.acquire());
        Lease<Conn> b = done(pool.acquire());
        Lease<Conn> c = done(pool.acquire());
        b.release();
        c.release();
        assertThat(pool.stats().summary()).startsWith("total=3 leased=1 idle=2");

        advance(Duration.ofSeconds(11));
        PoolStats s = pool.stats();
        assertThat(s.closed(CloseReason.IDLE)).as("one idle above the one min idle").isEqualTo(1);
        assertThat(s.summary()).startsWith("total=2 leased=1 idle=1");
        assertThat(s.created()).as("no connection closed only to be reopened").isEqualTo(3);

        a.release();
        advance(Duration.ofSeconds(11));
        s = pool.stats();
        assertThat(s.closed(CloseReason.IDLE)).isEqualTo(2);
        assertThat(s.summary()).startsWith("total=1 leased=0 idle=1");

        advance(Duration.ofMinutes(10));
        assertThat(pool.stats().total()).as("never below min idle").isEqualTo(1);
        assertThat(pool.stats().created()).isEqualTo(3);
    }

    @Test
    void idleTimeoutCountsFromTheLastUseNotFromTheLastLease() {
        var pool = pool(config().idleTimeout(Duration.ofSeconds(10)));
        Lease<Conn> longHeld = done(pool.acquire());
        advance(Duration.ofSeconds(30));
        longHeld.release();
        advance(Duration.ofSeconds(5));
        assertThat(pool.stats().total()).as("just used: not idle for 10 s yet").isEqualTo(1);
        assertThat(longHeld.connection().open).isTrue();
        advance(Duration.ofSeconds(6));
        assertThat(pool.stats().total()).isZero();
        assertThat(pool.stats().closed(CloseReason.IDLE)).isEqualTo(1);
    }

    @Test
    void idleTimeoutIsResetByEachUse() {
        var pool = pool(config().idleTimeout(Duration.ofSeconds(10)));
        for (int i = 0; i < 10; i++) {
            done(pool.acquire()).release();
            advance(Duration.ofSeconds(8));
        }
        assertThat(pool.stats().created()).isEqualTo(1);
        assertThat(pool.stats().closed()).isZero();
        advance(Duration.ofSeconds(3));
        assertThat(pool.stats().closed(CloseReason.IDLE)).isEqualTo(1);
    }

    @Test
    void maxLifetimeIsJitteredPerConnectionWithinItsBounds() {
        int n = 12;
        Duration lifetime = Duration.ofSeconds(10);
        var pool = pool(config().minIdle(n).maxTotal(n).maxLifetime(lifetime).lifetimeJitter(0.2)
                .maintenanceInterval(Duration.ofMillis(10)));
        long start = time.ticker().nanoTime();
        Lease<Conn> leased = pool.tryAcquire();
        long[] closedAfter = new long[n + 1];
        Arrays.fill(closedAfter, -1);
        for (int step = 0; step < 1_100; step++) { // 11 s in steps of the maintenance interval
            advanceMillis(10);
            for (int id = 1; id <= n; id++) {
                Conn c = connector.conn(id);
                if (closedAfter[id] < 0 && c.closedByPool) {
                    closedAfter[id] = time.ticker().nanoTime() - start;
                }
            }
            assertThat(pool.stats().total()).isLessThanOrEqualTo(n);
        }
        assertThat(leased.connection().open).as("a leased connection is not closed under its holder").isTrue();
        Set<Long> distinct = new HashSet<>();
        for (int id = 1; id <= n; id++) {
            if (connector.conn(id) == leased.connection()) {
                continue;
            }
            assertThat(closedAfter[id]).as("conn%d closed within [8 s, 10 s]", id)
                    .isBetween(Duration.ofSeconds(8).toNanos(), lifetime.toNanos());
            distinct.add(closedAfter[id]);
        }
        assertThat(distinct).as("connections created together expire at different times").hasSizeGreaterThan(n / 2);
        assertThat(pool.stats().closed(CloseReason.LIFETIME)).isEqualTo(n - 1);
        assertThat(pool.stats().total()).as("replacements for min idle, capped by maxTotal with the retiring leased one").isEqualTo(n);

        leased.release();
        assertThat(leased.connection().closedByPool).as("retired on release").isTrue();
        assertThat(pool.stats().closed(CloseReason.LIFETIME)).isEqualTo(n);
        assertThat(pool.stats().total()).isEqualTo(n);
        assertThat(pool.stats().idle()).isEqualTo(n);
    }

    @Test
    void leakSuspectedOnceWithTheAcquirersStack() {
        var pool = pool(config().maxTotal(2).leakDetectionThreshold(Duration.ofSeconds(5)));
        Lease<Conn> leaked = done(pool.acquire());
        advance(Duration.ofSeconds(4));
        assertThat(listener.leaks).isEmpty();
        advance(Duration.ofSeconds(1));
        assertThat(listener.leaks).hasSize(1);
        Throwable where = listener.leaks.get(0);
        assertThat(where.getMessage()).contains(ENDPOINT.toString()).contains("acquired here");
        assertThat(Arrays.stream(where.getStackTrace()).map(StackTraceElement::getMethodName))
                .contains("leakSuspectedOnceWithTheAcquirersStack");
        advance(Duration.ofMinutes(1));
        assertThat(listener.leaks).as("reported once").hasSize(1);
        leaked.release();
    }

    @Test
    void noLeakReportedForLeasesReleasedInTime() {
        var pool = pool(config().maxTotal(2).leakDetectionThreshold(Duration.ofSeconds(5)));
        for (int i = 0; i < 20; i++) {
            Lease<Conn> l = done(pool.acquire());
            advance(Duration.ofSeconds(4));
            l.release();
        }
        CompletableFuture<Lease<Conn>> handedOff;
        Lease<Conn> a = done(pool.acquire());
        Lease<Conn> b = done(pool.acquire());
        handedOff = pool.acquire();
        a.release(); // handoff to a waiter: its lease is watched too
        advance(Duration.ofSeconds(4));
        done(handedOff).release();
        b.invalidate();
        advance(Duration.ofMinutes(1));
        assertThat(listener.leaks).isEmpty();
        assertThat(time.pending()).as("no leak checks left scheduled").isLessThanOrEqualTo(1);
    }
}
