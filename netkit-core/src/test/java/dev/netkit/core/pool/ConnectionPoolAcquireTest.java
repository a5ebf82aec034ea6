package dev.netkit.core.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.error.PoolClosedException;
import dev.netkit.core.pool.FakeConnector.Conn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Acquiring and ending leases on a manual clock: the acquire timeout and the state snapshot its
 * exception carries, refusal beyond {@code maxPending}, cancellation of a waiter (withdrawn, and
 * no lease lost to it), blocking acquires including an interrupt, and the misuse checks (ending a
 * lease twice, handing a lease to the wrong pool) which must leave both pools untouched.
 */
class ConnectionPoolAcquireTest extends ManualClockPoolTest {

    @Test
    void acquireTimeoutCarriesTheSnapshotInMessageAndStats() {
        var pool = pool(config().maxTotal(8));
        List<Lease<Conn>> held = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            held.add(done(pool.acquire()));
        }
        List<CompletableFuture<Lease<Conn>>> patient = new ArrayList<>();
        for (int i = 0; i < 22; i++) {
            patient.add(pool.acquire(Duration.ofSeconds(10)));
        }
        CompletableFuture<Lease<Conn>> hasty = pool.acquire(Duration.ofSeconds(1));
        assertThat(pool.stats().pending()).isEqualTo(23);

        advanceMillis(999);
        assertThat(hasty).isNotDone();
        advanceMillis(1);
        assertThat(hasty).isCompletedExceptionally();
        AcquireTimeoutException e = failure(hasty, AcquireTimeoutException.class);
        assertThat(e.getMessage())
                .contains("no connection to " + ENDPOINT + " became available within PT1S")
                .contains("maxTotal 8")
                .contains("[total=8 leased=8 idle=0 waiting=23 dialing=0 in_flight=8]");
        assertThat(e.stats().total()).isEqualTo(8);
        assertThat(e.stats().leased()).isEqualTo(8);
        assertThat(e.stats().idle()).isZero();
        assertThat(e.stats().pending()).isEqualTo(23);
        assertThat(e.stats().timedOut()).as("counted after the snapshot").isZero();

        PoolStats after = pool.stats();
        assertThat(after.pending()).as("the timed-out waiter left the queue").isEqualTo(22);
        assertThat(after.timedOut()).isEqualTo(1);
        assertThat(listener.acquireFailures).containsExactly(e);
        assertThat(patient).allMatch(f -> !f.isDone());

        held.get(0).release();
        assertThat(patient.get(0)).as("the next waiter, not the timed-out one, gets the lease").isCompleted();
        advance(Duration.ofSeconds(9));
        assertThat(patient.subList(1, 22)).allMatch(CompletableFuture::isCompletedExceptionally);
        assertThat(pool.stats().timedOut()).isEqualTo(22);
        assertThat(pool.stats().pending()).isZero();
        patient.get(0).join().release();
        held.subList(1, 8).forEach(Lease::release);
        assertThat(pool.stats().idle()).isEqualTo(8);
    }

    @Test
    void beyondMaxPendingAcquiresAreRefusedAtOnce() {
        var pool = pool(config().maxTotal(1).maxPending(2));
        Lease<Conn> only = done(pool.acquire());
        CompletableFuture<Lease<Conn>> w1 = pool.acquire();
        CompletableFuture<Lease<Conn>> w2 = pool.acquire();
        CompletableFuture<Lease<Conn>> refused = pool.acquire();

        assertThat(refused).as("no waiting, no clock needed").isCompletedExceptionally();
        PoolExhaustedException e = failure(refused, PoolExhaustedException.class);
        assertThat(e.getMessage()).contains("maxPending 2").contains("total=1 leased=1 idle=0 waiting=2");
        assertThat(e.stats().pending()).isEqualTo(2);
        assertThat(pool.stats().rejected()).isEqualTo(1);
        assertThat(pool.stats().pending()).as("the refused one never queued").isEqualTo(2);
        assertThat(listener.acquireFailures).containsExactly(e);

        only.release();
        assertThat(w1).isCompleted();
        done(w1).release();
        assertThat(w2).isCompleted();
        done(w2).release();
    }

    @Test
    void cancellingAWaiterWithdrawsItAndTheNextReleaseIsNotLost() {
        var pool = pool(config().maxTotal(1));
        Lease<Conn> only = done(pool.acquire());
        CompletableFuture<Lease<Conn>> cancelled = pool.acquire();
        CompletableFuture<Lease<Conn>> second = pool.acquire();
        assertThat(pool.stats().pending()).isEqualTo(2);

        assertThat(cancelled.cancel(false)).isTrue();
        assertThat(pool.stats().pending()).isEqualTo(1);

        only.release();
        assertThat(second).as("handed past the cancelled waiter").isCompleted();
        Lease<Conn> got = done(second);
        assertThat(got.connection()).isSameAs(only.connection());

        CompletableFuture<Lease<Conn>> third = pool.acquire();
        third.cancel(true);
        assertThat(pool.stats().pending()).isZero();
        got.release();
        assertThat(pool.stats().idle()).as("the release after the last waiter left went back to the pool").isEqualTo(1);
        Lease<Conn> again = pool.tryAcquire();
        assertThat(again).isNotNull();
        again.release();

        advance(Duration.ofSeconds(10)); // the withdrawn waiters' timers were cancelled: nothing times out
        assertThat(pool.stats().timedOut()).isZero();
        assertThat(pool.stats().acquired()).isEqualTo(3);
    }

    @Test
    void cancellingAllWaitersLeavesNoPendingCountBehind() {
        var pool = pool(config().maxTotal(2));
        Lease<Conn> a = done(pool.acquire());
        Lease<Conn> b = done(pool.acquire());
        List<CompletableFuture<Lease<Conn>>> waiters = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            waiters.add(pool.acquire());
        }
        waiters.forEach(f -> f.cancel(false));
        assertThat(pool.stats().pending()).isZero();
        a.release();
        b.release();
        assertThat(pool.stats().idle()).isEqualTo(2);
        assertThat(pool.stats().acquired()).isEqualTo(2);
    }

    @Test
    void blockingAcquireReturnsWhenALeaseIsReleasedFromAnotherThread() throws Exception {
        var pool = pool(config().maxTotal(1));
        Lease<Conn> only = done(pool.acquire());
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                result.set(pool.acquireBlocking(Duration.ofSeconds(30)));
            } catch (RuntimeException e) {
                result.set(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().pending() == 1);
        only.release();
        t.join(Duration.ofSeconds(5));
        assertThat(t.isAlive()).isFalse();
        assertThat(result.get()).isInstanceOf(Lease.class);
        @SuppressWarnings("unchecked")
        Lease<Conn> got = (Lease<Conn>) result.get();
        assertThat(got.connection()).isSameAs(only.connection());
        got.release();
    }

    @Test
    void blockingAcquireThrowsTheTimeoutItself() throws Exception {
        var pool = pool(config().maxTotal(1));
        Lease<Conn> only = done(pool.acquire());
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                result.set(pool.acquireBlocking(Duration.ofSeconds(2)));
            } catch (RuntimeException e) {
                result.set(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().pending() == 1);
        advance(Duration.ofSeconds(2));
        t.join(Duration.ofSeconds(5));
        assertThat(result.get()).isInstanceOf(AcquireTimeoutException.class);
        assertThat(pool.stats().pending()).isZero();
        only.release();
    }

    @Test
    void interruptedBlockingAcquireWithdrawsTheWaiterAndKeepsTheFlag() throws Exception {
        var pool = pool(config().maxTotal(1));
        Lease<Conn> only = done(pool.acquire());
        AtomicReference<Object> result = new AtomicReference<>();
        AtomicBoolean flagKept = new AtomicBoolean();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                result.set(pool.acquireBlocking(Duration.ofSeconds(30)));
            } catch (RuntimeException e) {
                result.set(e);
                flagKept.set(Thread.currentThread().isInterrupted());
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().pending() == 1);
        t.interrupt();
        t.join(Duration.ofSeconds(5));
        assertThat(t.isAlive()).isFalse();
        assertThat(result.get()).isInstanceOf(CancellationException.class);
        assertThat(((Exception) result.get()).getMessage()).contains("interrupted while acquiring a connection to " + ENDPOINT);
        assertThat(flagKept).isTrue();
        assertThat(pool.stats().pending()).isZero();

        only.release();
        assertThat(pool.stats().idle()).as("not handed to the interrupted thread").isEqualTo(1);
        assertThat(pool.stats().acquired()).isEqualTo(1);
    }

    @Test
    void blockingAcquireOnAClosedPoolThrowsPoolClosed() {
        var pool = pool(config());
        pool.close();
        assertThatThrownBy(() -> pool.acquireBlocking(Duration.ofSeconds(1))).isInstanceOf(PoolClosedException.class);
    }

    @Test
    void endingALeaseTwiceThrowsAndChangesNothing() {
        var pool = pool(config().maxTotal(2));
        Lease<Conn> a = done(pool.acquire());
        Lease<Conn> b = done(pool.acquire());
        a.release();
        Lease<Conn> reused = done(pool.acquire()); // someone else now holds a's connection
        assertThat(reused.connection()).isSameAs(a.connection());
        String before = pool.stats().summary();

        assertThatThrownBy(a::release).isInstanceOf(IllegalStateException.class).hasMessageContaining("already released");
        assertThatThrownBy(a::invalidate).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> pool.release(a)).isInstanceOf(IllegalStateException.class);
        assertThat(pool.stats().summary()).isEqualTo(before);
        assertThat(pool.tryAcquire()).as("the double release did not free the reused connection").isNull();
        assertThat(a.connection().open).isTrue();

        b.invalidate();
        assertThatThrownBy(b::release).isInstanceOf(IllegalStateException.class);
        assertThat(pool.stats().closed(CloseReason.ERROR)).isEqualTo(1);
        reused.release();
    }

    @Test
    void aLeaseFromAnotherPoolIsRejectedAndNeitherPoolChanges() {
        var mine = pool(config().maxTotal(2).minIdle(1));
        var other = pool(ConnectionPool.builder(ENDPOINT, connector).config(config().maxTotal(2).build()));
        Lease<Conn> mineLease = done(mine.acquire());
        Lease<Conn> foreign = done(other.acquire());
        String mineBefore = mine.stats().toString();
        String otherBefore = other.stats().toString();

        assertThatThrownBy(() -> mine.release(foreign))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("belongs to another pool")
                .hasMessageContaining("nothing was released");
        assertThatThrownBy(() -> mine.invalidate(foreign)).isInstanceOf(IllegalArgumentException.class);

        assertThat(foreign.isEnded()).isFalse();
        assertThat(foreign.connection().open).isTrue();
        assertThat(mine.stats().toString()).isEqualTo(mineBefore);
        assertThat(other.stats().toString()).isEqualTo(otherBefore);
        assertThat(other.tryAcquire()).as("still leased in its own pool").isNull();

        other.release(foreign); // its own pool takes it
        assertThat(other.stats().idle()).isEqualTo(1);
        mine.release(mineLease);
        assertThat(mine.stats().idle()).isEqualTo(1);
    }

    @Test
    void tryAcquireNeverWaitsNorDials() {
        var pool = pool(config().maxTotal(2));
        assertThat(pool.tryAcquire()).isNull();
        assertThat(connector.dials).hasValue(0);
        Lease<Conn> a = done(pool.acquire());
        assertThat(pool.tryAcquire()).isNull();
        a.release();
        Lease<Conn> b = pool.tryAcquire();
        assertThat(b).isNotNull();
        b.release();
        pool.close();
        assertThat(pool.tryAcquire()).isNull();
    }

    static <E extends Throwable> E failure(CompletableFuture<?> f, Class<E> type) {
        assertThat(f).isCompletedExceptionally();
        try {
            f.join();
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(type);
            return type.cast(e.getCause());
        }
        throw new AssertionError("not failed: " + f);
    }
}
