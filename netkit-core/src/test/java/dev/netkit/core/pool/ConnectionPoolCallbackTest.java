package dev.netkit.core.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.time.Ticker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Hand-offs made from inside an acquire callback (review of the hand-off trampoline): a waiter
 * served from another waiter's callback gets its lease at once, not when that callback returns,
 * and a blocking acquire inside a callback keeps its timeout.
 */
class ConnectionPoolCallbackTest extends ManualClockPoolTest {

    @Test
    void aWaiterServedFromInsideAnotherWaitersCallbackGetsItsLeaseAtOnce() {
        var pool = pool(config().maxTotal(1));
        Lease<FakeConnector.Conn> holder = done(pool.acquire());
        CompletableFuture<Lease<FakeConnector.Conn>> a = pool.acquire(Duration.ofSeconds(5));
        CompletableFuture<Lease<FakeConnector.Conn>> b = pool.acquire(Duration.ofSeconds(5));
        AtomicBoolean bDoneInsideTheCallback = new AtomicBoolean();
        a.thenAccept(lease -> {
            lease.release(); // the connection goes to B
            bDoneInsideTheCallback.set(b.isDone());
            advance(Duration.ofSeconds(30)); // a slow callback: B's deadline passes meanwhile
        });
        holder.release();
        assertThat(bDoneInsideTheCallback).as("B served at once, not after A's callback").isTrue();
        assertThat(b).isCompletedWithValueMatching(l -> l != null);
        assertThat(pool.stats().timedOut()).isZero();
    }

    @Test
    void aBlockingAcquireInsideACallbackKeepsItsTimeout() throws Exception {
        ScheduledThreadPoolExecutor timer = ThreadScheduler.timer("callback-test-timer");
        try {
            var pool = ConnectionPool.builder(ENDPOINT, connector)
                    .config(config().maxTotal(2).build())
                    .time(Ticker.system(), ThreadScheduler.on(timer)).build();
            Lease<FakeConnector.Conn> l1 = pool.acquireBlocking(Duration.ofSeconds(1));
            Lease<FakeConnector.Conn> l2 = pool.acquireBlocking(Duration.ofSeconds(1));
            CompletableFuture<Object> result = new CompletableFuture<>();
            pool.acquire(Duration.ofSeconds(5)).thenAccept(lease -> {
                lease.invalidate(); // frees a slot: the blocking acquire below dials a new connection
                try {
                    result.complete(pool.acquireBlocking(Duration.ofMillis(200)));
                } catch (RuntimeException e) {
                    result.complete(e);
                }
            });
            Thread releaser = new Thread(l2::release, "releaser");
            releaser.setDaemon(true);
            releaser.start();
            releaser.join(5_000);
            assertThat(releaser.isAlive()).as("the callback's blocking acquire returned").isFalse();
            Object got = result.get(1, TimeUnit.SECONDS);
            assertThat(got).as("the new connection was handed over while the callback ran").isInstanceOf(Lease.class);
            ((Lease<?>) got).release();
            l1.release();
            pool.close();
        } finally {
            timer.shutdownNow();
        }
    }
}
