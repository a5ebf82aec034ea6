package dev.netkit.core.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.time.ManualScheduler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Regression tests from the pool's review: warm-up futures complete outside the pool lock and
 * settle when only part of min idle can open; a connector that throws on a new connection does
 * not cost the pool its dial slot.
 */
class ConnectionPoolWarmUpAndDialTest {
    private final ManualScheduler time = new ManualScheduler();
    private final FakeConnector connector = new FakeConnector();

    private ConnectionPool<FakeConnector.Conn> pool(PoolConfig config) {
        return ConnectionPool.builder(Endpoint.parse("127.0.0.1:1"), connector)
                .config(config).time(time.ticker(), time).build();
    }

    /**
     * From inside a callback, asks another thread to take the pool's lock (stats() does) and
     * reports whether it got it within 2 s. A callback that runs while the pool lock is held makes
     * the other thread wait for the callback: with a callback that waits for that thread (join,
     * get, blocking close), the two deadlock.
     */
    private static Runnable probeLockFromAnotherThread(ConnectionPool<?> pool, CompletableFuture<Boolean> lockFree) {
        return () -> {
            CompletableFuture<PoolStats> probe = CompletableFuture.supplyAsync(pool::stats);
            try {
                probe.get(2, TimeUnit.SECONDS);
                lockFree.complete(true);
            } catch (TimeoutException e) {
                lockFree.complete(false);
            } catch (Exception e) {
                lockFree.completeExceptionally(e);
            }
        };
    }

    /**
     * Was: dialSucceeded() completes warmUp() futures via completeWarmUpsLocked() while holding
     * the pool lock (ConnectionPool.java:617, 841-846), so the caller's continuations run locked,
     * against the design note ("nothing foreign runs under the lock").
     */
    @Test
    void warmUpCallbacksMustNotRunUnderThePoolLock_whenTheDialSucceeds() throws Exception {
        connector.hold = true;
        var pool = pool(PoolConfig.builder().minIdle(1).maxTotal(1).build());
        CompletableFuture<Boolean> lockFree = new CompletableFuture<>();
        CompletableFuture<Void> warm = pool.warmUp();
        assertThat(warm).isNotDone();
        warm.thenRun(probeLockFromAnotherThread(pool, lockFree));
        connector.completeHeld();
        assertThat(warm).isCompleted();
        assertThat(lockFree.get(10, TimeUnit.SECONDS))
                .as("another thread could take the pool lock while the warmUp callback ran").isTrue();
        pool.close();
    }

    /** Same bug on close(): completeWarmUpsLocked(closedException()) at ConnectionPool.java:782. */
    @Test
    void warmUpCallbacksMustNotRunUnderThePoolLock_whenThePoolCloses() throws Exception {
        connector.hold = true;
        var pool = pool(PoolConfig.builder().minIdle(1).maxTotal(1).build());
        CompletableFuture<Boolean> lockFree = new CompletableFuture<>();
        CompletableFuture<Void> warm = pool.warmUp();
        warm.whenComplete((v, e) -> probeLockFromAnotherThread(pool, lockFree).run());
        pool.close();
        assertThat(warm).isCompletedExceptionally();
        assertThat(lockFree.get(10, TimeUnit.SECONDS))
                .as("another thread could take the pool lock while the warmUp callback ran").isTrue();
    }

    /** Same bug on a failed dial: completeWarmUpsLocked(down) at ConnectionPool.java:658. */
    @Test
    void warmUpCallbacksMustNotRunUnderThePoolLock_whenTheDialFails() throws Exception {
        connector.hold = true;
        var pool = pool(PoolConfig.builder().minIdle(1).maxTotal(1).dialTimeout(Duration.ofSeconds(1)).build());
        CompletableFuture<Boolean> lockFree = new CompletableFuture<>();
        CompletableFuture<Void> warm = pool.warmUp();
        warm.whenComplete((v, e) -> probeLockFromAnotherThread(pool, lockFree).run());
        time.advance(Duration.ofSeconds(1)); // the held dial times out: dialFailed, endpoint known down
        assertThat(warm).isCompletedExceptionally();
        assertThat(lockFree.get(10, TimeUnit.SECONDS))
                .as("another thread could take the pool lock while the warmUp callback ran").isTrue();
        pool.close();
    }

    /**
     * Was: warmUp() (and so Broker.connectAll()) never settles when some but not all of min idle
     * can be opened: dialFailed() fails warm-ups only when entries.length == 0 &&
     * dialing == 0 (ConnectionPool.java:650-658), and success needs openLocked() >= minIdle (838).
     * A server that accepts one connection and refuses the next leaves the future pending forever.
     */
    @Test
    void warmUpSettlesWhenOnlySomeOfMinIdleCanBeOpened() {
        AtomicInteger accepted = new AtomicInteger();
        Connector<FakeConnector.Conn> oneOnly = new Connector<>() {
            @Override
            public CompletionStage<FakeConnector.Conn> connect(Endpoint endpoint, Runnable onClosed) {
                if (accepted.incrementAndGet() > 1) {
                    return CompletableFuture.failedFuture(new IllegalStateException("connection refused"));
                }
                return connector.connect(endpoint, onClosed);
            }

            @Override
            public boolean isUsable(FakeConnector.Conn c) {
                return connector.isUsable(c);
            }

            @Override
            public void close(FakeConnector.Conn c) {
                connector.close(c);
            }
        };
        var pool = ConnectionPool.builder(Endpoint.parse("127.0.0.1:1"), oneOnly)
                .config(PoolConfig.builder().minIdle(2).maxTotal(2).build()).time(time.ticker(), time).build();
        CompletableFuture<Void> warm = pool.warmUp();
        time.advance(Duration.ofMinutes(10)); // many backoff rounds, every re-dial refused
        assertThat(pool.stats().total()).isEqualTo(1);
        assertThat(warm).as("warmUp must complete or fail, not hang, after 10 minutes of refused dials").isDone();
        pool.close();
    }

    /**
     * Was: dialDone() cancels the dial timer (ConnectionPool.java:591) and then calls
     * connector.isUsable() (594) and, on the early-close path, connector.close() (595) unguarded.
     * If either throws, the exception vanishes into the CompletionStage and neither dialFailed()
     * nor dialSucceeded() runs: the dial's slot in `dialing` is never given back. With maxTotal 1
     * the pool never dials again and every acquire waits out its timeout.
     */
    @Test
    void aConnectorThatThrowsInIsUsableDoesNotLeakTheDialSlot() {
        AtomicInteger checks = new AtomicInteger();
        Connector<FakeConnector.Conn> flaky = new Connector<>() {
            @Override
            public CompletionStage<FakeConnector.Conn> connect(Endpoint endpoint, Runnable onClosed) {
                return connector.connect(endpoint, onClosed);
            }

            @Override
            public boolean isUsable(FakeConnector.Conn c) {
                if (checks.incrementAndGet() == 1) {
                    throw new IllegalStateException("transient failure in the usability check");
                }
                return connector.isUsable(c);
            }

            @Override
            public void close(FakeConnector.Conn c) {
                connector.close(c);
            }
        };
        var pool = ConnectionPool.builder(Endpoint.parse("127.0.0.1:1"), flaky)
                .config(PoolConfig.builder().maxTotal(1).build()).time(time.ticker(), time).build();
        CompletableFuture<Lease<FakeConnector.Conn>> first = pool.acquire(Duration.ofSeconds(1));
        time.advance(Duration.ofMinutes(1)); // dial timeout, backoff, anything that could recover the slot
        assertThat(first).isDone();
        assertThat(pool.stats().dialing()).as("no dial is in progress").isZero();
        CompletableFuture<Lease<FakeConnector.Conn>> second = pool.acquire(Duration.ofSeconds(1));
        time.advance(Duration.ofSeconds(1));
        assertThat(second).as("a later acquire gets a connection").isCompletedWithValueMatching(l -> l != null);
        pool.close();
    }
}
