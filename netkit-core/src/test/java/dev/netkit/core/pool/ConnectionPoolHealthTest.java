package dev.netkit.core.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.pool.FakeConnector.Conn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Connection health on a manual clock: background validation (failures and timeouts close with
 * VALIDATION, never more than {@code max(1, share × idle)} validations at once, a connection
 * under validation is not leased), and peer closes (reported by the connector, or only visible
 * to the cheap {@code isUsable} check) remove the connection before anyone can lease it.
 */
class ConnectionPoolHealthTest extends ManualClockPoolTest {

    /** A validator that holds every validation until the test answers it. */
    static final class HeldValidator implements Validator<Conn> {
        final Map<Conn, CompletableFuture<Boolean>> outstanding = new ConcurrentHashMap<>();
        final List<Conn> validated = new CopyOnWriteArrayList<>();
        int maxConcurrent;

        @Override
        public synchronized CompletionStage<Boolean> validate(Conn connection) {
            assertThat(connection.open).as("only open connections are validated").isTrue();
            CompletableFuture<Boolean> f = new CompletableFuture<>();
            outstanding.put(connection, f);
            validated.add(connection);
            maxConcurrent = Math.max(maxConcurrent, outstanding.size());
            f.whenComplete((ok, e) -> outstanding.remove(connection));
            return f;
        }

        void answerAll(boolean ok) {
            new ArrayList<>(outstanding.values()).forEach(f -> f.complete(ok));
        }
    }

    @Test
    void connectionsOutForValidationStillCountTowardMinIdleSoNoExtraConnectionIsDialled() {
        HeldValidator validator = new HeldValidator();
        var pool = pool(ConnectionPool.builder(ENDPOINT, connector).validator(validator)
                .config(config().minIdle(2).maxTotal(4).validationShare(1.0).validationInterval(Duration.ofSeconds(1))
                        .validationTimeout(Duration.ofSeconds(30)).build()));
        advance(Duration.ofSeconds(1)); // both idle connections go out for validation, held
        assertThat(validator.outstanding).hasSize(2);
        advance(Duration.ofSeconds(3)); // maintenance passes while they are out
        assertThat(connector.dials).as("a brief validation claim is not replaced").hasValue(2);
        assertThat(pool.stats().validating()).isEqualTo(2);
        validator.answerAll(true);
        assertThat(pool.stats().idle()).isEqualTo(2);
        assertThat(pool.stats().total()).isEqualTo(2);
    }

    @Test
    void aFailingValidatorClosesTheConnectionWithReasonValidation() {
        Validator<Conn> validator = c -> CompletableFuture.completedFuture(c.id != 2);
        var pool = pool(ConnectionPool.builder(ENDPOINT, connector).validator(validator)
                .config(config().minIdle(3).maxTotal(3).validationShare(1.0).validationInterval(Duration.ofSeconds(5)).build()));
        advance(Duration.ofSeconds(4));
        assertThat(pool.stats().closed()).isZero();
        advance(Duration.ofSeconds(1));
        assertThat(connector.conn(2).closedByPool).isTrue();
        assertThat(connector.conn(1).open).isTrue();
        assertThat(connector.conn(3).open).isTrue();
        assertThat(pool.stats().closed(CloseReason.VALIDATION)).isEqualTo(1);
        assertThat(listener.closed).containsExactly(CloseReason.VALIDATION);
        advance(Duration.ofSeconds(1)); // min idle refilled
        assertThat(pool.stats().total()).isEqualTo(3);
    }

    @Test
    void aThrowingOrFailedValidationCountsAsAFailure() {
        Validator<Conn> validator = c -> {
            if (c.id == 1) {
                throw new IllegalStateException("validator bug");
            }
            return CompletableFuture.failedFuture(new RuntimeException("ping failed"));
        };
        var pool = pool(ConnectionPool.builder(ENDPOINT, connector).validator(validator)
                .config(config().minIdle(2).maxTotal(2).validationShare(1.0).validationInterval(Duration.ofSeconds(5)).build()));
        advance(Duration.ofSeconds(5));
        assertThat(pool.stats().closed(CloseReason.VALIDATION)).isEqualTo(2);
        assertThat(pool.stats().validating()).isZero();
    }

    @Test
    void neverMoreThanTheShareOfIdleConnectionsIsValidatedAtOnce() {
        HeldValidator validator = new HeldValidator();
        int n = 20;
        var pool = pool(ConnectionPool.builder(ENDPOINT, connector).validator(validator)
                .config(config().minIdle(n).maxTotal(n).validationShare(0.1).validationInterval(Duration.ofSeconds(5))
                        .validationTimeout(Duration.ofMinutes(1)).build()));
        advance(Duration.ofSeconds(5));
        assertThat(validator.outstanding).as("10 %% of 20 idle").hasSize(2);
        assertThat(pool.stats().validating()).isEqualTo(2);
        assertThat(pool.stats().idle()).isEqualTo(n - 2);
        for (int pass = 0; pass < 5; pass++) {
            advance(Duration.ofSeconds(1));
            assertThat(validator.outstanding).as("held validations block further ones").hasSize(2);
        }
        Set<Conn> seen = new HashSet<>();
        for (int round = 0; round < 30 && seen.size() < n; round++) {
            seen.addAll(validator.outstanding.keySet());
            validator.answerAll(true);
            advance(Duration.ofSeconds(1));
        }
        assertThat(seen).as("every connection validated in turn").hasSize(n);
        assertThat(validator.maxConcurrent).isEqualTo(2);
        assertThat(pool.stats().closed()).isZero();
        validator.answerAll(true);
    }

    @Test
    void atLeastOneIsValidatedEvenWhenTheShareRoundsToZero() {
        HeldValidator validator = new HeldValidator();
        var pool = pool(ConnectionPool.builder(ENDPOINT, connector).validator(validator)
                .config(config().minIdle(5).maxTotal(5).validationShare(0.01).validationInterval(Duration.ofSeconds(2))
                        .validationTimeout(Duration.ofMinutes(1)).build()));
        for (int i = 0; i < 20; i++) {
            advance(Duration.ofSeconds(1));
            assertThat(validator.outstanding.size()).isLessThanOrEqualTo(1);
            validator.answerAll(true);
        }
        assertThat(validator.maxConcurrent).isEqualTo(1);
        // One validation per pass for five connections due every two passes: the quota cannot
        // keep up, and then the longest-unvalidated goes first, so each gets its turn.
        assertThat(new HashSet<>(validator.validated)).hasSize(5);
        for (int id = 1; id <= 5; id++) {
            Conn c = connector.conn(id);
            assertThat(validator.validated.stream().filter(v -> v == c).count()).as("conn%d validations", id).isBetween(3L, 5L);
        }
        assertThat(pool.stats().closed()).isZero();
    }

    @Test
    void aValidationThatDoesNotAnswerInTimeFailsAndALateAnswerChangesNothing() {
        HeldValidator validator = new HeldValidator();
        var pool = pool(ConnectionPool.builder(ENDPOINT, connector).validator(validator)
                .config(config().minIdle(1).maxTotal(1).validationInterval(Duration.ofSeconds(5))
                        .validationTimeout(Duration.ofMillis(300)).build()));
        advance(Duration.ofSeconds(5));
        assertThat(validator.outstanding).hasSize(1);
        CompletableFuture<Boolean> late = validator.outstanding.get(connector.conn(1));
        assertThat(pool.tryAcquire()).as("under validation: not leased").isNull();
        advanceMillis(299);
        assertThat(connector.conn(1).open).isTrue();
        advanceMillis(1);
        assertThat(connector.conn(1).closedByPool).isTrue();
        assertThat(pool.stats().closed(CloseReason.VALIDATION)).isEqualTo(1);
        assertThat(pool.stats().validating()).isZero();

        late.complete(true);
        assertThat(pool.stats().closed()).isEqualTo(1);
        advance(Duration.ofSeconds(1));
        assertThat(pool.stats().total()).as("replaced for min idle").isEqualTo(1);
        assertThat(connector.conn(2).open).isTrue();
    }

    @Test
    void aWaiterGetsTheConnectionWhenItsValidationSucceeds() {
        HeldValidator validator = new HeldValidator();
        var pool = pool(ConnectionPool.builder(ENDPOINT, connector).validator(validator)
                .config(config().minIdle(1).maxTotal(1).validationInterval(Duration.ofSeconds(5))
                        .validationTimeout(Duration.ofMinutes(1)).build()));
        advance(Duration.ofSeconds(5));
        CompletableFuture<Lease<Conn>> waiting = pool.acquire();
        assertThat(waiting).isNotDone();
        validator.answerAll(true);
        assertThat(waiting).isCompleted();
        assertThat(done(waiting).connection()).isSameAs(connector.conn(1));
        waiting.join().release();
    }

    @Test
    void aConnectionClosedByThePeerLeavesAtOnceAndIsNeverLeased() {
        var pool = pool(config().minIdle(2).maxTotal(2));
        advance(Duration.ofSeconds(5));
        Conn gone = connector.conn(1);
        gone.closeFromPeer();
        assertThat(gone.closedByPool).as("the pool closed its end too").isTrue();
        PoolStats s = pool.stats();
        assertThat(s.total()).as("replaced at once: no redial delay configured").isEqualTo(2);
        assertThat(s.closed(CloseReason.PEER_CLOSED)).isEqualTo(1);
        assertThat(s.created()).isEqualTo(3);
        for (int i = 0; i < 5; i++) {
            Lease<Conn> l = pool.tryAcquire();
            assertThat(l).isNotNull();
            assertThat(l.connection()).isNotSameAs(gone);
            l.release();
        }
    }

    @Test
    void aLeasedConnectionClosedByThePeerIsClosedOnceAndItsLeaseStillEndsCleanly() {
        var pool = pool(config().maxTotal(1));
        Lease<Conn> lease = done(pool.acquire());
        advance(Duration.ofSeconds(5));
        lease.connection().closeFromPeer();
        assertThat(pool.stats().total()).isZero();
        lease.release();
        assertThat(lease.connection().closeCalls).hasValue(1);
        assertThat(pool.stats().closed()).isEqualTo(1);
        Lease<Conn> next = done(pool.acquire());
        assertThat(next.connection().id).isEqualTo(2);
        next.release();
    }

    @Test
    void aSilentlyDeadConnectionIsRemovedByTheCheapCheckOnTryAcquire() {
        var pool = pool(config().minIdle(2).maxTotal(2));
        Conn first = connector.conn(1);
        first.dieSilently();
        Lease<Conn> l = pool.tryAcquire();
        assertThat(l).isNotNull();
        assertThat(l.connection()).isSameAs(connector.conn(2));
        assertThat(first.closedByPool).isTrue();
        assertThat(pool.stats().closed(CloseReason.PEER_CLOSED)).isEqualTo(1);
        assertThat(pool.stats().total()).as("conn2 leased, conn3 dialled for min idle").isEqualTo(2);
        assertThat(connector.conn(3).open).isTrue();
        l.release();
    }

    @Test
    void aSilentlyDeadConnectionIsRemovedByTheCheapCheckOnAcquire() {
        var pool = pool(config().minIdle(1).maxTotal(1));
        Conn dead = connector.conn(1);
        dead.dieSilently();
        CompletableFuture<Lease<Conn>> f = pool.acquire();
        time.runDue(); // found under the lock: closed right after, by the scheduler
        assertThat(f).isCompleted();
        assertThat(done(f).connection()).isNotSameAs(dead);
        assertThat(dead.closedByPool).isTrue();
        assertThat(pool.stats().closed(CloseReason.PEER_CLOSED)).isEqualTo(1);
        f.join().release();
    }

    @Test
    void aConnectorWhoseCheckThrowsCostsOnlyThatConnection() {
        var pool = pool(config().minIdle(2).maxTotal(2));
        Conn broken = connector.conn(1);
        broken.checkThrows = new IllegalStateException("connector bug");
        Lease<Conn> l = pool.tryAcquire();
        assertThat(l).isNotNull();
        assertThat(l.connection()).isSameAs(connector.conn(2));
        assertThat(broken.closedByPool).as("treated as unusable and closed, not stuck leased").isTrue();
        l.release();
        assertThat(pool.stats().leased()).isZero();
    }

    @Test
    void aConnectorWhoseCheckThrowsDoesNotStrandAWaiter() {
        var pool = pool(config().maxTotal(1));
        Lease<Conn> lease = done(pool.acquire());
        CompletableFuture<Lease<Conn>> waiting = pool.acquire();
        lease.connection().checkThrows = new IllegalStateException("connector bug");
        lease.release();
        time.runDue();
        assertThat(waiting).isCompleted();
        assertThat(done(waiting).connection()).isNotSameAs(lease.connection());
        done(waiting).release();
    }

    @Test
    void aSilentlyDeadConnectionIsNotHandedToAWaiter() {
        var pool = pool(config().maxTotal(1));
        Lease<Conn> lease = done(pool.acquire());
        CompletableFuture<Lease<Conn>> waiting = pool.acquire();
        lease.connection().dieSilently();
        lease.release();
        time.runDue();
        assertThat(waiting).isCompleted();
        assertThat(done(waiting).connection()).isNotSameAs(lease.connection());
        assertThat(done(waiting).connection().open).isTrue();
        assertThat(pool.stats().closed(CloseReason.PEER_CLOSED)).isEqualTo(1);
        waiting.join().release();
    }
}
