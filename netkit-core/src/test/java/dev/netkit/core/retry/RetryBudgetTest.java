package dev.netkit.core.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netkit.core.error.ConnectionLostException;
import dev.netkit.core.time.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {
    private static final Duration TTL = Duration.ofSeconds(10);

    private final ManualTicker ticker = new ManualTicker();

    private static int withdrawAll(RetryBudget b) {
        int n = 0;
        while (b.tryWithdraw()) {
            n++;
            assertThat(n).as("runaway budget").isLessThan(1_000_000);
        }
        return n;
    }

    private static void requests(RetryBudget b, int n) {
        for (int i = 0; i < n; i++) {
            b.recordRequest();
        }
    }

    @Test
    void anIdleBudgetAllowsTheFloorTimesTheTtl() {
        RetryBudget b = new RetryBudget(TTL, 10, 0.2, ticker);
        assertThat(b.balance()).isEqualTo(100.0);
        assertThat(withdrawAll(b)).as("10/s × 10 s").isEqualTo(100);
        RetryBudgetStats s = b.stats();
        assertThat(s.retries()).isEqualTo(100);
        assertThat(s.rejectedRetries()).isEqualTo(1);
        ticker.advance(TTL);
        assertThat(b.tryWithdraw()).as("the retries still count until they expire").isFalse();
        ticker.advance(TTL.dividedBy(10)); // ttl + one slice: the burst left the window
        assertThat(withdrawAll(b)).isEqualTo(100);
    }

    @Test
    void theFloorIsSustainedAsARateAndNotExceeded() {
        RetryBudget b = new RetryBudget(TTL, 10, 0.2, ticker);
        withdrawAll(b); // spend the idle reserve first
        ticker.advance(TTL.plus(TTL.dividedBy(10)));
        int allowed = 0;
        for (int i = 0; i < 600; i++) { // 9.5 retries/s for 63 s: just under the floor
            ticker.advance(Duration.ofMillis(105));
            if (b.tryWithdraw()) {
                allowed++;
            }
        }
        assertThat(allowed).as("everything under the floor").isEqualTo(600);

        RetryBudget c = new RetryBudget(TTL, 10, 0.2, ticker);
        withdrawAll(c);
        int more = 0;
        for (int i = 0; i < 6_000; i++) { // 20 retries/s for 300 s: twice the floor
            ticker.advance(Duration.ofMillis(50));
            if (c.tryWithdraw()) {
                more++;
            }
        }
        // The reserve spent at the start blocks the first 11 s (ttl + a slice); after that 10/s.
        // In all, never more than the floor over the run plus one reserve.
        assertThat(more).as("about 10/s over 300 s").isBetween(10 * (300 - 11), 10 * (300 + 11) - 100);
    }

    @Test
    void eachRequestDepositsItsShare() {
        RetryBudget b = new RetryBudget(TTL, 0, 0.2, ticker);
        assertThat(b.tryWithdraw()).as("no floor, no requests").isFalse();
        requests(b, 100);
        assertThat(b.balance()).isEqualTo(20.0);
        assertThat(withdrawAll(b)).as("20 %% of 100").isEqualTo(20);
        requests(b, 4);
        assertThat(b.tryWithdraw()).as("0.8 of a token is not a retry").isFalse();
        requests(b, 1);
        assertThat(b.tryWithdraw()).isTrue();
        assertThat(b.stats()).isEqualTo(new RetryBudgetStats(105, 21, 3, 0.0));
    }

    @Test
    void depositsAndWithdrawalsExpireAfterTheTtlAndNotBefore() {
        RetryBudget b = new RetryBudget(TTL, 0, 0.2, ticker);
        requests(b, 100);
        for (int i = 0; i < 5; i++) {
            assertThat(b.tryWithdraw()).isTrue();
        }
        assertThat(b.balance()).isEqualTo(15.0);
        ticker.advance(TTL); // still counted at exactly the ttl
        assertThat(b.balance()).isEqualTo(15.0);
        ticker.advance(TTL.dividedBy(10).minusNanos(1));
        assertThat(b.balance()).isEqualTo(15.0);
        ticker.advance(Duration.ofNanos(1)); // ttl + one slice: deposits and withdrawals are gone
        assertThat(b.balance()).isEqualTo(0.0);
        assertThat(b.tryWithdraw()).isFalse();
        requests(b, 50);
        assertThat(b.balance()).isEqualTo(10.0);
        ticker.advance(Duration.ofHours(3)); // far longer than the window
        assertThat(b.stats()).isEqualTo(new RetryBudgetStats(150, 5, 1, 0.0));
    }

    @Test
    void aBrownOutAddsAtMostTheShareAndTheFloorToTheLoad() {
        // 1000 requests/s for 30 s, every attempt failing, each retried up to 4 times while the
        // budget allows: without a budget that is 5x the load.
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(5).build();
        RetryBudget budget = policy.newBudget(ticker);
        int rate = 1_000;
        int seconds = 30;
        long requests = 0;
        long retries = 0;
        long retriesAfterWarmUp = 0;
        for (int i = 0; i < rate * seconds; i++) {
            ticker.advance(Duration.ofMillis(1));
            budget.recordRequest();
            requests++;
            for (int attempt = 1; policy.decide(attempt, false, false, new ConnectionLostException("down"), budget)
                    .retry(); attempt++) {
                retries++;
                if (i >= rate * 10) {
                    retriesAfterWarmUp++;
                }
            }
        }
        double multiplier = (double) (requests + retries) / requests;
        double floorShare = 10.0 / rate;
        double reserveShare = 10.0 * 10 / (rate * seconds); // the idle reserve, spent once at the start
        String figures = "requests " + requests + ", retries " + retries + ", multiplier " + multiplier;
        assertThat(multiplier).as(figures).isLessThanOrEqualTo(1 + 0.2 + floorShare + reserveShare);
        assertThat(multiplier).as("the budget is used, not just respected: " + figures).isGreaterThan(1.2);
        // The reserve spent at the start comes back when it expires: an echo of at most its size.
        assertThat(retriesAfterWarmUp).as("the last 20 s: 20 %% + 10/s, + the reserve's echo; " + figures)
                .isLessThanOrEqualTo((long) (0.2 * rate * 20 + 10 * 20 + 10 * 10));
        assertThat(budget.stats().retries()).isEqualTo(retries);
        assertThat(budget.stats().requests()).isEqualTo(requests);
    }

    @Test
    void concurrentDepositsAreAllCountedAndWithdrawalsNeverOverdraw() throws Exception {
        RetryBudget b = new RetryBudget(TTL, 0, 0.2, ticker);
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 5_000; i++) {
                        b.recordRequest();
                        if (thread == 0 && i % 500 == 0) {
                            ticker.advance(Duration.ofMillis(100)); // slices end while others deposit
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertThat(b.stats().requests()).isEqualTo(20_000);
            assertThat(b.balance()).isEqualTo(4_000.0);

            AtomicInteger granted = new AtomicInteger();
            CountDownLatch again = new CountDownLatch(1);
            done.clear();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    again.await();
                    for (int i = 0; i < 2_000; i++) {
                        if (b.tryWithdraw()) {
                            granted.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            again.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertThat(granted.get()).as("20 %% of 20,000, exactly").isEqualTo(4_000);
            assertThat(b.stats().rejectedRetries()).isEqualTo(4_000);
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void unlimitedAndNone() {
        RetryBudget unlimited = RetryBudget.unlimited();
        for (int i = 0; i < 10_000; i++) {
            assertThat(unlimited.tryWithdraw()).isTrue();
        }
        assertThat(unlimited.stats().retries()).isEqualTo(10_000);
        assertThat(unlimited.balance()).isInfinite();
        RetryBudget none = RetryBudget.none();
        requests(none, 1_000);
        assertThat(none.tryWithdraw()).isFalse();
        assertThat(none.stats().rejectedRetries()).isEqualTo(1);
    }

    @Test
    void rejectsNonsenseNamingTheFieldTheValueAndTheRange() {
        assertThatThrownBy(() -> new RetryBudget(Duration.ofMillis(999), 10, 0.2, ticker))
                .hasMessage("ttl: PT0.999S (expected: PT1S..PT1M)");
        assertThatThrownBy(() -> new RetryBudget(Duration.ofMinutes(2), 10, 0.2, ticker))
                .hasMessage("ttl: PT2M (expected: PT1S..PT1M)");
        assertThatThrownBy(() -> new RetryBudget(TTL, -1, 0.2, ticker))
                .hasMessage("minRetriesPerSecond: -1 (expected: 0..1000000)");
        assertThatThrownBy(() -> new RetryBudget(TTL, 10, 20, ticker))
                .hasMessage("percentCanRetry: 20.0 (expected: 0.0..10.0)");
        assertThatThrownBy(() -> new RetryBudget(TTL, 10, Double.NaN, ticker))
                .hasMessage("percentCanRetry: NaN (expected: 0.0..10.0)");
        assertThatThrownBy(() -> new RetryBudget(null, 10, 0.2, ticker)).hasMessage("ttl");
    }

    @Test
    void toStringSummarises() {
        RetryBudget b = RetryBudget.defaults(ticker);
        requests(b, 3);
        b.tryWithdraw();
        assertThat(b).hasToString("RetryBudget[20% + 10/s over PT10S, 3 requests, 1 retries, 0 refused]");
    }
}
