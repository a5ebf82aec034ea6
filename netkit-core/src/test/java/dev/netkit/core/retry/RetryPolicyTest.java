package dev.netkit.core.retry;

import static dev.netkit.core.retry.RetryDecision.NOT_RETRYABLE;
import static dev.netkit.core.retry.RetryDecision.NO_ATTEMPTS_LEFT;
import static dev.netkit.core.retry.RetryDecision.NO_BUDGET;
import static dev.netkit.core.retry.RetryDecision.RETRY;
import static dev.netkit.core.retry.RetryDecision.UNSAFE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netkit.core.error.ConnectionLostException;
import dev.netkit.core.error.ErrorKind;
import dev.netkit.core.error.QueueFullException;
import dev.netkit.core.error.RequestTimeoutException;
import dev.netkit.core.time.ManualTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private static final long MS = 1_000_000;
    private static final ConnectionLostException LOST = new ConnectionLostException("10.0.0.1:7000 reset");

    @Test
    void defaultsAreEnvoysBackoffAndFinaglesBudget() {
        RetryPolicy p = RetryPolicy.defaults();
        assertThat(p.maxAttempts()).isEqualTo(2);
        assertThat(p.backoffBase()).isEqualTo(Duration.ofMillis(25));
        assertThat(p.backoffMax()).isEqualTo(Duration.ofMillis(250));
        assertThat(p.retryOn()).containsExactly(ErrorKind.POOL_CLOSED, ErrorKind.CONNECTION_LOST);
        RetryBudget b = p.newBudget(new ManualTicker());
        assertThat(b.ttl()).isEqualTo(Duration.ofSeconds(10));
        assertThat(b.minRetriesPerSecond()).isEqualTo(10);
        assertThat(b.percentCanRetry()).isEqualTo(0.2);
        assertThat(p.toBuilder().build()).isEqualTo(p);
        assertThat(p.toString()).contains("retryOn=[POOL_CLOSED, CONNECTION_LOST]");
        assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
        assertThat(RetryPolicy.none().decide(1, false, true, LOST, RetryBudget.unlimited())).isEqualTo(NO_ATTEMPTS_LEFT);
    }

    @Test
    void backoffIsFullJitterUnderADoublingCap() {
        long seed = Long.getLong("netkit.seed", System.nanoTime());
        Random random = new Random(seed);
        RetryPolicy p = RetryPolicy.defaults();
        long[] caps = {25 * MS, 50 * MS, 100 * MS, 200 * MS, 250 * MS, 250 * MS};
        double previousMean = 0;
        for (int retry = 1; retry <= caps.length; retry++) {
            long cap = caps[retry - 1];
            long min = Long.MAX_VALUE;
            long max = 0;
            double sum = 0;
            for (int i = 0; i < 2_000; i++) {
                long d = p.backoffNanos(retry, random);
                assertThat(d).as("seed %d, retry %d", seed, retry).isBetween(0L, cap);
                min = Math.min(min, d);
                max = Math.max(max, d);
                sum += d;
            }
            String where = "seed " + seed + ", retry " + retry;
            assertThat(min).as("full jitter reaches 0: " + where).isLessThan(cap / 50);
            assertThat(max).as("... and the cap: " + where).isGreaterThan(cap - cap / 50);
            double mean = sum / 2_000;
            assertThat(mean).as("uniform: " + where).isBetween(cap * 0.45, cap * 0.55);
            assertThat(mean).as("grows until capped: " + where).isGreaterThanOrEqualTo(previousMean * 0.9);
            previousMean = mean;
        }
        for (int retry : new int[] {63, 64, 1_000, Integer.MAX_VALUE}) {
            assertThat(p.backoffNanos(retry, random)).as("no overflow at %d", retry).isBetween(0L, 250 * MS);
        }
        assertThat(p.backoffNanos(3, new Random(seed))).isEqualTo(p.backoffNanos(3, new Random(seed)));
        RetryPolicy exact = RetryPolicy.builder().backoffBase(Duration.ofNanos(1)).backoffMax(Duration.ofNanos(1)).build();
        assertThat(exact.backoffNanos(1, random)).isBetween(0L, 1L);
        assertThatThrownBy(() -> p.backoffNanos(0, random)).hasMessage("retry: 0 (expected: >= 1)");
    }

    @Test
    void onlyRequestsNeverWrittenOrIdempotentAreSafe() {
        assertThat(RetryPolicy.isSafe(false, false)).isTrue();
        assertThat(RetryPolicy.isSafe(false, true)).isTrue();
        assertThat(RetryPolicy.isSafe(true, true)).isTrue();
        assertThat(RetryPolicy.isSafe(true, false)).isFalse();
    }

    @Test
    void retryableFailuresAreTheConfiguredKindsEvenInsideFutureWrappers() {
        RetryPolicy p = RetryPolicy.defaults();
        assertThat(p.isRetryable(LOST)).isTrue();
        assertThat(p.isRetryable(new CompletionException(LOST))).isTrue();
        assertThat(p.isRetryable(new ExecutionException(new CompletionException(LOST)))).isTrue();
        assertThat(p.isRetryable(new RequestTimeoutException("deadline"))).as("not by default").isFalse();
        assertThat(p.isRetryable(new QueueFullException("full"))).isFalse();
        assertThat(p.isRetryable(new IOException("the application's"))).isFalse();
        assertThat(p.isRetryable(new CompletionException(null))).isFalse();
        RetryPolicy timeouts = p.toBuilder().retryOn(EnumSet.of(ErrorKind.TIMEOUT)).build();
        assertThat(timeouts.isRetryable(new RequestTimeoutException("deadline"))).isTrue();
        assertThat(timeouts.isRetryable(LOST)).isFalse();
        assertThat(p.toBuilder().retryOn(Set.of()).build().isRetryable(LOST)).isFalse();
    }

    @Test
    void decideChecksAttemptsThenKindThenSafetyThenBudgetAndSpendsOnlyOnRealRetries() {
        RetryPolicy p = RetryPolicy.builder().maxAttempts(3).build();
        RetryBudget budget = new RetryBudget(Duration.ofSeconds(10), 0, 0.5, new ManualTicker());
        budget.recordRequest();
        budget.recordRequest(); // one token
        assertThat(p.decide(3, false, true, LOST, budget)).isEqualTo(NO_ATTEMPTS_LEFT);
        assertThat(p.decide(1, false, true, new QueueFullException("full"), budget)).isEqualTo(NOT_RETRYABLE);
        assertThat(p.decide(1, true, false, LOST, budget)).isEqualTo(UNSAFE);
        assertThat(budget.stats().retries()).as("nothing spent so far").isZero();
        assertThat(p.decide(1, false, false, LOST, budget)).as("never written: safe").isEqualTo(RETRY);
        assertThat(p.decide(2, true, true, LOST, budget)).isEqualTo(NO_BUDGET);
        assertThat(budget.stats()).isEqualTo(new RetryBudgetStats(2, 1, 1, 0.0));
        assertThat(RETRY.retry()).isTrue();
        assertThat(NO_BUDGET.retry()).isFalse();
        assertThat(NO_BUDGET.label()).isEqualTo("no_budget");
        assertThatThrownBy(() -> p.decide(0, false, false, LOST, budget)).hasMessage("attemptsMade: 0 (expected: >= 1)");
    }

    @Test
    void rejectsNonsenseNamingTheFieldTheValueAndTheRange() {
        assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0).build())
                .hasMessage("maxAttempts: 0 (expected: 1..100)");
        assertThatThrownBy(() -> RetryPolicy.builder().backoffBase(Duration.ZERO).build())
                .hasMessage("backoffBase: PT0S (expected: > 0)");
        assertThatThrownBy(() -> RetryPolicy.builder().backoffMax(Duration.ofMillis(10)).build())
                .hasMessage("backoffMax: PT0.01S (expected: backoffBase PT0.025S..PT1H)");
        assertThatThrownBy(() -> RetryPolicy.builder().backoffMax(Duration.ofDays(1)).build())
                .hasMessage("backoffMax: PT24H (expected: backoffBase PT0.025S..PT1H)");
        assertThatThrownBy(() -> RetryPolicy.builder().retryOn(null).build()).hasMessage("retryOn");
        assertThatThrownBy(() -> RetryPolicy.builder().budgetTtl(Duration.ZERO).build())
                .hasMessage("budgetTtl: PT0S (expected: PT1S..PT1M)");
        assertThatThrownBy(() -> RetryPolicy.builder().budgetMinRetriesPerSecond(-5).build())
                .hasMessage("budgetMinRetriesPerSecond: -5 (expected: 0..1000000)");
        assertThatThrownBy(() -> RetryPolicy.builder().budgetPercentCanRetry(-0.1).build())
                .hasMessage("budgetPercentCanRetry: -0.1 (expected: 0.0..10.0)");
    }
}
