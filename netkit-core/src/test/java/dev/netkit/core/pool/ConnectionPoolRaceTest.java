package dev.netkit.core.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.error.PoolClosedException;
import dev.netkit.core.time.Scheduler;
import dev.netkit.core.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Races the issue names: an acquire cancelled while the dial it started is still running (the
 * connection that arrives later joins the pool, nothing is leaked or leased to nobody), and close
 * in the middle of an acquire storm on real threads (every acquire completes exactly once, with a
 * lease or with pool-closed, and every connection ends closed). The storm also covers waiters that
 * release at once inside their callback, thousands deep: hand-offs must not recurse.
 */
class ConnectionPoolRaceTest extends ManualClockPoolTest {

    @Test
    void anAcquireCancelledDuringItsDialLeavesTheNewConnectionIdleInThePool() {
        connector.hold = true;
        var pool = pool(config().maxTotal(2));
        CompletableFuture<Lease<FakeConnector.Conn>> acquire = pool.acquire(Duration.ofSeconds(5));
        assertThat(pool.stats().dialing()).isEqualTo(1);
        assertThat(acquire.cancel(false)).isTrue();
        assertThat(pool.stats().pending()).as("withdrawn at once").isZero();

        connector.completeHeld(); // the dial it started completes after all
        PoolStats s = pool.stats();
        assertThat(s.total()).isEqualTo(1);
        assertThat(s.idle()).as("the connection is the pool's, idle, not leased to the cancelled caller").isEqualTo(1);
        assertThat(s.inFlight()).isZero();
        assertThat(s.dialing()).isZero();
        assertThat(pool.tryAcquire()).as("and usable by the next caller").isNotNull();
        assertThat(connector.dials).as("no second dial").hasValue(1);
    }

    @Test
    void anAcquireCancelledWhileItsDialFailsLeavesNothingBehind() {
        connector.hold = true;
        var pool = pool(config().maxTotal(1));
        CompletableFuture<Lease<FakeConnector.Conn>> acquire = pool.acquire(Duration.ofSeconds(5));
        acquire.cancel(false);
        connector.failHeld(new IllegalStateException("refused"));
        PoolStats s = pool.stats();
        assertThat(s.total()).isZero();
        assertThat(s.dialing()).isZero();
        assertThat(s.pending()).isZero();
        assertThat(s.dialFailures()).isEqualTo(1);
    }

    @Test
    void tenThousandWaitersThatReleaseInTheirCallbackAreServedWithoutRecursion() throws Exception {
        var pool = pool(config().maxTotal(1).maxPending(10_000));
        Lease<FakeConnector.Conn> first = pool.tryAcquire();
        assertThat(first).isNull(); // nothing open yet: take it through acquire
        Lease<FakeConnector.Conn> holder = done(pool.acquire());
        AtomicInteger served = new AtomicInteger();
        for (int i = 0; i < 10_000; i++) {
            pool.acquire(Duration.ofSeconds(30)).thenAccept(lease -> {
                served.incrementAndGet();
                lease.release(); // hands the connection to the next waiter from inside this callback
            });
        }
        assertThat(pool.stats().pending()).isEqualTo(10_000);
        // A small stack, as on a busy I/O thread: recursion of hand-offs would overflow it.
        Thread releaser = new Thread(null, holder::release, "small-stack-releaser", 256 * 1024);
        releaser.start();
        releaser.join(10_000);
        assertThat(served).hasValue(10_000);
        assertThat(pool.stats().pending()).isZero();
        assertThat(pool.stats().idle()).isEqualTo(1);
    }

    @Test
    void closeDuringAnAcquireStormCompletesEveryAcquireExactlyOnceAndClosesEveryConnection() throws Exception {
        FakeConnector real = new FakeConnector();
        ConnectionPool<FakeConnector.Conn> pool = ConnectionPool.builder(ENDPOINT, real)
                .config(config().maxTotal(4).maxPending(10_000).build())
                .time(Ticker.system(), Scheduler.shared()).build();
        int threads = 4;
        int perThread = 2_000;
        ExecutorService workers = Executors.newFixedThreadPool(threads);
        List<CompletableFuture<Lease<FakeConnector.Conn>>> all = Collections.synchronizedList(new ArrayList<>());
        List<Lease<FakeConnector.Conn>> held = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger leasesSeen = new AtomicInteger();
        CountDownLatch halfway = new CountDownLatch(threads);
        CountDownLatch closed = new CountDownLatch(1);
        try {
            for (int t = 0; t < threads; t++) {
                workers.execute(() -> {
                    for (int i = 0; i < perThread; i++) {
                        if (i == perThread / 2) { // the second half races the close, then follows it
                            halfway.countDown();
                            try {
                                closed.await(10, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return;
                            }
                        }
                        CompletableFuture<Lease<FakeConnector.Conn>> f = pool.acquire(Duration.ofSeconds(10));
                        all.add(f);
                        f.thenAccept(lease -> {
                            if (leasesSeen.getAndIncrement() < 2) {
                                held.add(lease); // two connections stay leased until after close
                            } else if ((lease.connection().id & 1) == 0) {
                                lease.release(); // at once: hands the connection straight to the next waiter
                            } else {
                                CompletableFuture.runAsync(lease::release); // from another thread
                            }
                        });
                    }
                });
            }
            assertThat(halfway.await(10, TimeUnit.SECONDS)).isTrue();
            pool.close(); // while hand-offs and releases from other threads are still in flight
            closed.countDown();
        } finally {
            workers.shutdown();
            assertThat(workers.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(all).hasSize(threads * perThread);
        await("every acquire completed").atMost(Duration.ofSeconds(10))
                .until(() -> all.stream().allMatch(CompletableFuture::isDone));
        long leased = all.stream().filter(f -> !f.isCompletedExceptionally()).count();
        long refused = all.stream().filter(CompletableFuture::isCompletedExceptionally).count();
        assertThat(leased + refused).isEqualTo(threads * perThread);
        assertThat(refused).as("every acquire after the close, at least").isGreaterThanOrEqualTo(threads * perThread / 2);
        assertThat(leased).isEqualTo(leasesSeen.get());
        all.stream().filter(CompletableFuture::isCompletedExceptionally).forEach(f ->
                assertThat(f.exceptionNow()).isInstanceOf(PoolClosedException.class));
        assertThat(held).hasSize(2);
        assertThat(real.openCount()).as("leased connections stay open until released").isGreaterThanOrEqualTo(2);
        held.forEach(Lease::release);
        await("every connection closed once its last lease ended").atMost(Duration.ofSeconds(10))
                .until(() -> real.openCount() == 0);
        PoolStats s = pool.stats();
        assertThat(s.total()).isZero();
        assertThat(s.pending()).isZero();
        assertThat(s.created()).isEqualTo(s.closed()).isLessThanOrEqualTo(4);
        for (FakeConnector.Conn c : real.created()) {
            assertThat(c.closeCalls.get()).as("%s closed once", c).isEqualTo(1);
        }
        System.out.printf("close during storm: %d leased, %d refused with pool-closed, %d connection(s)%n",
                leased, refused, s.created());
    }
}
