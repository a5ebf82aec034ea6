package dev.netkit.core.breaker;

import static dev.netkit.core.breaker.BreakerState.CLOSED;
import static dev.netkit.core.breaker.BreakerState.HALF_OPEN;
import static dev.netkit.core.breaker.BreakerState.OPEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netkit.core.time.ManualTicker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
    private static final long FAST = Duration.ofMillis(5).toNanos();
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ManualTicker ticker = new ManualTicker();
    private final List<BreakerTransition> told = new CopyOnWriteArrayList<>();

    /** Count window of 10, verdict from 10 calls, 50 %, 4 trial calls. */
    private CircuitBreaker breaker(BreakerConfig.Builder config) {
        return new CircuitBreaker("10.0.0.1:7000", config.build(), ticker, told::add);
    }

    private static BreakerConfig.Builder tenCalls() {
        return BreakerConfig.builder().countWindow(10).minimumCalls(10).failureRateThreshold(0.5)
                .waitInOpen(WAIT).permittedCallsInHalfOpen(4);
    }

    private static void fail(CircuitBreaker b, int n) {
        for (int i = 0; i < n; i++) {
            assertThat(b.tryAcquirePermission()).isTrue();
            b.onFailure(FAST);
        }
    }

    private static void succeed(CircuitBreaker b, int n) {
        for (int i = 0; i < n; i++) {
            assertThat(b.tryAcquirePermission()).isTrue();
            b.onSuccess(FAST);
        }
    }

    private CircuitBreaker opened() {
        CircuitBreaker b = breaker(tenCalls());
        fail(b, 10);
        assertThat(b.state()).isEqualTo(OPEN);
        return b;
    }

    private CircuitBreaker halfOpened() {
        CircuitBreaker b = opened();
        ticker.advance(WAIT);
        assertThat(b.state()).isEqualTo(HALF_OPEN);
        return b;
    }

    @Test
    void staysClosedBelowMinimumCallsEvenIfAllFail() {
        CircuitBreaker b = breaker(tenCalls());
        fail(b, 9);
        assertThat(b.state()).isEqualTo(CLOSED);
        BreakerSnapshot s = b.snapshot();
        assertThat(s.calls()).isEqualTo(9);
        assertThat(s.failedCalls()).isEqualTo(9);
        assertThat(s.failureRate()).as("no rate before minimumCalls").isEqualTo(-1);
        fail(b, 1);
        assertThat(b.state()).isEqualTo(OPEN);
    }

    @Test
    void opensExactlyAtTheThresholdAndNotJustBelow() {
        CircuitBreaker b = breaker(tenCalls());
        succeed(b, 6);
        fail(b, 4);
        assertThat(b.state()).as("40 %% < 50 %%").isEqualTo(CLOSED);
        assertThat(b.snapshot().failureRate()).isEqualTo(0.4);
        fail(b, 1); // evicts the oldest success: 5 failures in the last 10
        assertThat(b.state()).as("50 %% >= 50 %%").isEqualTo(OPEN);
        assertThat(told).singleElement().satisfies(t -> {
            assertThat(t.from()).isEqualTo(CLOSED);
            assertThat(t.to()).isEqualTo(OPEN);
            assertThat(t.breaker()).isEqualTo("10.0.0.1:7000");
            assertThat(t.reason()).isEqualTo(
                    "failure rate 50.0% >= 50.0%, slow-call rate 0.0% < 100.0% over the last 10 calls");
        });
        BreakerSnapshot s = b.snapshot();
        assertThat(s.failureRate()).as("OPEN reports what opened it").isEqualTo(0.5);
        assertThat(s.calls()).isEqualTo(10);
    }

    @Test
    void aThresholdThatIsNotExactInBinaryStillTripsAtItsValue() {
        // 0.1 × 30 = 3.0000000000000004 in doubles: a multiplication would miss 3 of 30.
        CircuitBreaker b = breaker(BreakerConfig.builder().countWindow(30).minimumCalls(30).failureRateThreshold(0.1));
        succeed(b, 27);
        fail(b, 2);
        assertThat(b.state()).isEqualTo(CLOSED);
        fail(b, 1);
        assertThat(b.state()).isEqualTo(OPEN);
    }

    @Test
    void slowCallRateOpensAndOnlyCallsLongerThanTheDurationAreSlow() {
        long limit = Duration.ofMillis(100).toNanos();
        CircuitBreaker b = breaker(tenCalls().slowCallDuration(Duration.ofMillis(100)).slowCallRateThreshold(0.5));
        for (int i = 0; i < 6; i++) {
            b.tryAcquirePermission();
            b.onSuccess(limit); // exactly the limit: not slow
        }
        for (int i = 0; i < 4; i++) {
            b.tryAcquirePermission();
            b.onSuccess(limit + 1);
        }
        assertThat(b.state()).isEqualTo(CLOSED);
        assertThat(b.snapshot().slowCallRate()).isEqualTo(0.4);
        b.tryAcquirePermission();
        b.onSuccess(Duration.ofSeconds(3).toNanos());
        assertThat(b.state()).isEqualTo(OPEN);
        assertThat(told.getFirst().reason()).isEqualTo(
                "failure rate 0.0% < 50.0%, slow-call rate 50.0% >= 50.0% over the last 10 calls");
    }

    @Test
    void openRefusesUntilTheWaitElapsesThenHalfOpenAdmitsExactlyTheTrials() {
        CircuitBreaker b = opened();
        assertThat(b.tryAcquirePermission()).isFalse();
        ticker.advance(WAIT.minusNanos(1));
        assertThat(b.tryAcquirePermission()).isFalse();
        assertThat(b.state()).isEqualTo(OPEN);
        ticker.advance(Duration.ofNanos(1));
        assertThat(b.tryAcquirePermission()).as("the first call after the wait is a trial").isTrue();
        assertThat(b.state()).isEqualTo(HALF_OPEN);
        assertThat(b.tryAcquirePermission()).isTrue();
        assertThat(b.tryAcquirePermission()).isTrue();
        assertThat(b.tryAcquirePermission()).isTrue();
        assertThat(b.tryAcquirePermission()).as("a fifth trial of four").isFalse();
        assertThat(b.tryAcquirePermission()).isFalse();
        assertThat(b.snapshot().notPermitted()).isEqualTo(4);
        assertThat(told).extracting(BreakerTransition::to).containsExactly(OPEN, HALF_OPEN);
        assertThat(told.get(1).reason()).isEqualTo("open for 10000 ms (waitInOpen 10000 ms): letting 4 trial calls through");
    }

    @Test
    void readingTheStateMovesAnOpenBreakerWhoseWaitIsOverToHalfOpen() {
        CircuitBreaker b = opened();
        ticker.advance(WAIT);
        assertThat(told).hasSize(1);
        assertThat(b.snapshot().state()).as("a control plane polling without traffic").isEqualTo(HALF_OPEN);
        assertThat(told).hasSize(2);
        assertThat(b.snapshot().calls()).as("no trial reported yet").isZero();
        assertThat(b.snapshot().failureRate()).isEqualTo(-1);
    }

    @Test
    void halfOpenClosesOnceTheSuccessesSettleIt() {
        CircuitBreaker b = halfOpened();
        for (int i = 0; i < 4; i++) {
            assertThat(b.tryAcquirePermission()).isTrue();
        }
        b.onSuccess(FAST);
        b.onSuccess(FAST);
        assertThat(b.state()).as("2 of 4 may still fail: 50 %%").isEqualTo(HALF_OPEN);
        assertThat(b.snapshot().calls()).isEqualTo(2);
        b.onSuccess(FAST);
        assertThat(b.state()).as("at most 1 of 4 can fail now").isEqualTo(CLOSED);
        assertThat(told.getLast().reason()).isEqualTo("trial calls: failure rate < 50.0% and slow-call rate < 100.0%"
                + " whatever the rest do (0 failed, 0 slow of 4 trial calls; 3 reported)");
        b.onFailure(FAST); // the last trial lands in the new, empty window
        BreakerSnapshot s = b.snapshot();
        assertThat(s.calls()).isEqualTo(1);
        assertThat(s.failedCalls()).isEqualTo(1);
        assertThat(s.transitions()).isEqualTo(3);
        fail(b, 8);
        assertThat(b.state()).as("window of 10 holds 9").isEqualTo(CLOSED);
    }

    @Test
    void halfOpenClosesAfterAllTrialsWhenFailuresStayBelowTheThreshold() {
        CircuitBreaker b = breaker(tenCalls().permittedCallsInHalfOpen(10));
        fail(b, 10);
        ticker.advance(WAIT);
        boolean[] outcomes = {true, false, true, false, true, false, false, true, false, false}; // 4 failures
        for (int i = 0; i < 10; i++) {
            assertThat(b.tryAcquirePermission()).isTrue();
        }
        for (int i = 0; i < 10; i++) {
            assertThat(b.state()).as("after %d outcomes", i).isEqualTo(HALF_OPEN);
            if (outcomes[i]) {
                b.onFailure(FAST);
            } else {
                b.onSuccess(FAST);
            }
        }
        assertThat(b.state()).isEqualTo(CLOSED);
    }

    @Test
    void halfOpenReopensOnceTheFailuresSettleItAndWaitsAgain() {
        CircuitBreaker b = halfOpened();
        for (int i = 0; i < 4; i++) {
            assertThat(b.tryAcquirePermission()).isTrue();
        }
        b.onSuccess(FAST);
        b.onFailure(FAST);
        assertThat(b.state()).isEqualTo(HALF_OPEN);
        ticker.advance(Duration.ofSeconds(1));
        b.onFailure(FAST);
        assertThat(b.state()).as("2 of 4 failed: 50 %% whatever the rest do").isEqualTo(OPEN);
        assertThat(told.getLast().reason()).isEqualTo(
                "trial calls: failure rate 50.0% >= 50.0% whatever the rest do (2 failed, 0 slow of 4 trial calls; 3 reported)");
        b.onSuccess(FAST); // the last trial: dropped in OPEN
        assertThat(b.snapshot().calls()).as("OPEN reports the trials that reopened it").isEqualTo(3);
        ticker.advance(WAIT.minusNanos(1));
        assertThat(b.tryAcquirePermission()).as("the wait restarts at the reopening").isFalse();
        ticker.advance(Duration.ofNanos(1));
        assertThat(b.tryAcquirePermission()).isTrue();
        assertThat(told).extracting(BreakerTransition::to).containsExactly(OPEN, HALF_OPEN, OPEN, HALF_OPEN);
        assertThat(told).extracting(BreakerTransition::sequence).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void slowTrialsReopen() {
        CircuitBreaker b = breaker(tenCalls().slowCallRateThreshold(0.5).slowCallDuration(Duration.ofSeconds(1)));
        fail(b, 10);
        ticker.advance(WAIT);
        for (int i = 0; i < 2; i++) {
            assertThat(b.tryAcquirePermission()).isTrue();
            b.onSuccess(Duration.ofSeconds(2).toNanos());
        }
        assertThat(b.state()).isEqualTo(OPEN);
        assertThat(told.getLast().reason()).startsWith("trial calls: slow-call rate 50.0% >= 50.0%");
    }

    @Test
    void releaseReturnsATrialSlotButNeverMoreThanWereTaken() {
        CircuitBreaker b = halfOpened();
        for (int i = 0; i < 4; i++) {
            assertThat(b.tryAcquirePermission()).isTrue();
        }
        assertThat(b.tryAcquirePermission()).isFalse();
        b.release();
        assertThat(b.tryAcquirePermission()).as("the released slot").isTrue();
        assertThat(b.tryAcquirePermission()).isFalse();

        b.onSuccess(FAST); // one trial reported: 3 still out
        for (int i = 0; i < 10; i++) {
            b.release(); // more releases than permits held
        }
        int granted = 0;
        while (b.tryAcquirePermission()) {
            granted++;
        }
        assertThat(granted).as("4 trials minus the 1 reported").isEqualTo(3);
    }

    @Test
    void releaseOutsideHalfOpenChangesNothing() {
        CircuitBreaker b = breaker(tenCalls());
        b.release();
        fail(b, 10);
        b.release();
        assertThat(b.tryAcquirePermission()).isFalse();
        ticker.advance(WAIT);
        int granted = 0;
        while (b.tryAcquirePermission()) {
            granted++;
        }
        assertThat(granted).isEqualTo(4);
    }

    @Test
    void theTimeWindowForgetsOutcomesOlderThanItsSpan() {
        CircuitBreaker b = breaker(BreakerConfig.builder().timeWindow(5).minimumCalls(4).failureRateThreshold(0.5));
        fail(b, 3);
        ticker.advance(Duration.ofSeconds(5));
        succeed(b, 3);
        fail(b, 1);
        assertThat(b.state()).as("1 of 4: the 3 old failures left the window").isEqualTo(CLOSED);
        assertThat(b.snapshot().calls()).isEqualTo(4);
        ticker.advance(Duration.ofHours(2)); // far longer than the whole window
        assertThat(b.snapshot().calls()).isZero();
        fail(b, 3);
        assertThat(b.state()).isEqualTo(CLOSED);
        fail(b, 1);
        assertThat(b.state()).isEqualTo(OPEN);
    }

    @Test
    void outcomesArrivingWhileOpenAreDropped() {
        CircuitBreaker b = opened();
        for (int i = 0; i < 50; i++) {
            b.onSuccess(FAST);
        }
        assertThat(b.snapshot().calls()).isEqualTo(10);
        assertThat(b.state()).isEqualTo(OPEN);
    }

    @Test
    void aListenerThatThrowsBreaksNothing() {
        List<BreakerState> seen = new CopyOnWriteArrayList<>();
        CircuitBreaker b = new CircuitBreaker("e", tenCalls().build(), ticker, t -> {
            seen.add(t.to());
            throw new IllegalStateException("listener bug");
        });
        fail(b, 10);
        assertThat(b.tryAcquirePermission()).isFalse();
        ticker.advance(WAIT);
        succeed(b, 3);
        assertThat(b.state()).isEqualTo(CLOSED);
        assertThat(seen).containsExactly(OPEN, HALF_OPEN, CLOSED);
        assertThat(b.snapshot().transitions()).isEqualTo(3);
    }

    @Test
    void aListenerMayAskTheBreakerAndCauseATransitionWithoutRecursionOrReordering() {
        List<BreakerTransition> seen = new CopyOnWriteArrayList<>();
        CircuitBreaker[] self = new CircuitBreaker[1];
        self[0] = new CircuitBreaker("e", tenCalls().build(), ticker, t -> {
            seen.add(t);
            if (t.to() == OPEN) {
                ticker.advance(WAIT);
                self[0].state(); // moves it to HALF_OPEN from inside the callback
                assertThat(seen).as("not told recursively").hasSize(seen.indexOf(t) + 1);
            }
        });
        fail(self[0], 10);
        assertThat(seen).extracting(BreakerTransition::to).containsExactly(OPEN, HALF_OPEN);
        assertThat(self[0].state()).isEqualTo(HALF_OPEN);
    }

    @Test
    void aDisabledBreakerAlwaysPermitsAndNeverOpens() {
        CircuitBreaker b = new CircuitBreaker("e", BreakerConfig.disabled(), ticker, told::add);
        for (int i = 0; i < 1_000; i++) {
            assertThat(b.tryAcquirePermission()).isTrue();
            b.onFailure(FAST);
        }
        assertThat(b.state()).isEqualTo(CLOSED);
        assertThat(b.snapshot()).isEqualTo(new BreakerSnapshot("e", CLOSED, -1, -1, 0, 0, 0, 0, 0));
        assertThat(told).isEmpty();
    }

    @Test
    void rejectsANegativeDurationNamingIt() {
        CircuitBreaker b = breaker(tenCalls());
        assertThatThrownBy(() -> b.onSuccess(-1)).hasMessage("durationNanos: -1 (expected: >= 0)");
        assertThatThrownBy(() -> b.onFailure(Long.MIN_VALUE))
                .hasMessage("durationNanos: " + Long.MIN_VALUE + " (expected: >= 0)");
    }

    @Test
    void toStringSummarises() {
        CircuitBreaker b = opened();
        b.tryAcquirePermission();
        assertThat(b).hasToString("CircuitBreaker[10.0.0.1:7000, OPEN, failure rate 100.0% of 10 calls, 1 refused, 1 transitions]");
    }
}
