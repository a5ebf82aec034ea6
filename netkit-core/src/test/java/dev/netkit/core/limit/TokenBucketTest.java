package dev.netkit.core.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netkit.core.time.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The bucket on a hand-driven clock: exact rates without drift, the burst cap, shaping delays,
 * requests larger than the burst, clocks that jump both ways, and bad parameters.
 */
class TokenBucketTest {
    /** A clock that may also go back (ManualTicker refuses that), starting near the wrap point. */
    static final class JumpingTicker implements Ticker {
        final AtomicLong now = new AtomicLong(Long.MAX_VALUE - 5_000_000_000L);

        @Override
        public long nanoTime() {
            return now.get();
        }

        void advance(long nanos) {
            now.addAndGet(nanos);
        }
    }

    private final JumpingTicker clock = new JumpingTicker();

    private TokenBucket bucket(long rate, long burst) {
        return new TokenBucket(new RateLimit("test", rate, burst), clock);
    }

    @Test
    void aCallersClockReadingIsTheTimeTheBucketUses() {
        TokenBucket b = bucket(10, 5);
        long t = clock.nanoTime();
        assertThat(b.tryAcquire(5, t)).isTrue();
        assertThat(b.tryAcquire(1, t + 50_000_000)).as("0.05 s: half a token").isFalse();
        assertThat(b.tryAcquire(1, t + 100_000_000)).as("0.1 s at 10/s: one token, though the ticker did not move").isTrue();
        assertThat(b.acquireOrDelay(2, 1_000_000_000, t + 100_000_000)).as("two owed: 0.2 s").isEqualTo(200_000_000);
        LimitChain chain = new LimitChain(java.util.List.of(bucket(10, 5), b));
        assertThat(chain.tryAcquire(1, t + 100_000_000)).as("b is in debt at that time").isEqualTo(1);
        assertThat(chain.tryAcquire(1, t + 400_000_000)).isEqualTo(LimitChain.GRANTED);
    }

    @Test
    void startsFullAndRefusesBeyondTheBurst() {
        TokenBucket b = bucket(10, 5);
        for (int i = 0; i < 5; i++) {
            assertThat(b.tryAcquire(1)).isTrue();
        }
        assertThat(b.tryAcquire(1)).isFalse();
        assertThat(b.available()).isZero();
        clock.advance(100_000_000); // 0.1 s at 10/s: one token
        assertThat(b.tryAcquire(1)).isTrue();
        assertThat(b.tryAcquire(1)).isFalse();
    }

    @Test
    void fractionalRatesDoNotDriftOverManyTinySteps() {
        // 3 tokens per 10 ns (rate 3e8/s): each 1 ns step earns 0.3 of a token. A truncating bucket
        // would earn nothing per step; this one must earn exactly floor(0.3 * elapsed).
        TokenBucket b = bucket(300_000_000L, 1_000_000);
        assertThat(b.tryAcquire(1_000_000)).isTrue();
        long taken = 0;
        for (int step = 0; step < 1_000_000; step++) {
            clock.advance(1);
            while (b.tryAcquire(1)) {
                taken++;
            }
        }
        assertThat(taken).isEqualTo(300_000); // 1 ms at 3e8/s, exactly
    }

    @Test
    void longRunRateIsExactForAnAwkwardRate() {
        TokenBucket b = bucket(7, 1);
        assertThat(b.tryAcquire(1)).isTrue();
        long taken = 0;
        for (int i = 0; i < 10_000; i++) {
            clock.advance(1_000_000_007L / 97); // odd steps
            if (b.tryAcquire(1)) {
                taken++;
            }
        }
        long elapsed = 10_000 * (1_000_000_007L / 97);
        assertThat(taken).isEqualTo(elapsed * 7 / 1_000_000_000L);
    }

    @Test
    void aForwardJumpRefillsAtMostTheBurst() {
        TokenBucket b = bucket(1_000, 50);
        assertThat(b.tryAcquire(50)).isTrue();
        clock.advance(Duration.ofDays(400).toNanos()); // past the wrap of the 64-bit clock, too
        assertThat(b.available()).isEqualTo(50);
        assertThat(b.tryAcquire(50)).isTrue();
        assertThat(b.tryAcquire(1)).isFalse();
    }

    @Test
    void aBackwardJumpNeverGivesNegativeTokensNorThrows() {
        TokenBucket b = bucket(1_000, 100);
        assertThat(b.tryAcquire(40)).isTrue();
        clock.advance(-Duration.ofHours(3).toNanos());
        assertThat(b.available()).isBetween(0L, 100L);
        assertThat(b.tryAcquire(1)).as("an empty bucket after a big jump back, not a negative one").isFalse();
        assertThat(b.acquireOrDelay(1, Duration.ofSeconds(1).toNanos())).isEqualTo(1_000_000); // 1 token at 1000/s
        clock.advance(Duration.ofMillis(100).toNanos());
        assertThat(b.available()).as("refills from the new reading on").isEqualTo(99);
        // A small jump back only delays: tokens freeze rather than go negative.
        clock.advance(-Duration.ofMillis(10).toNanos());
        assertThat(b.available()).isBetween(0L, 99L);
        assertThat(b.tryAcquire(80)).isTrue();
    }

    @Test
    void shapingReservesAndSaysHowLongToWait() {
        TokenBucket b = bucket(1_000, 10);
        assertThat(b.acquireOrDelay(10, 0)).isZero();
        assertThat(b.acquireOrDelay(1, 5_000_000)).isEqualTo(1_000_000);
        assertThat(b.acquireOrDelay(2, 5_000_000)).isEqualTo(3_000_000); // queued behind the first
        assertThat(b.acquireOrDelay(5, 5_000_000)).as("8 ms > 5 ms: refused, nothing reserved")
                .isEqualTo(TokenBucket.REFUSED);
        assertThat(b.acquireOrDelay(2, 5_000_000)).isEqualTo(5_000_000);
        clock.advance(5_000_000);
        assertThat(b.available()).isZero();
        assertThat(b.nanosUntil(1)).isEqualTo(1_000_000);
    }

    @Test
    void aFrameLargerThanTheBurstIsShapedAsDebtAndPolicedWithAClearError() {
        TokenBucket b = new TokenBucket(new RateLimit("bytes/s per connection", 1_000_000, 16_384), clock);
        assertThat(b.acquireOrDelay(65_541, TokenBucket.MAX_DELAY.toNanos()))
                .as("no deadlock: waits for the excess over the burst").isEqualTo(49_157_000);
        clock.advance(49_157_000);
        assertThat(b.available()).isZero();
        clock.advance(16_384_000);
        assertThat(b.available()).isEqualTo(16_384);
        assertThatThrownBy(() -> b.tryAcquire(65_541))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bytes/s per connection: 65541 tokens requested at once exceed the burst of 16384 "
                        + "(expected: <= burst; such a request could never pass; raise the burst)");
        assertThat(b.available()).as("the refusal took nothing").isEqualTo(16_384);
    }

    @Test
    void refundGivesTokensBackWithinTheBurst() {
        TokenBucket b = bucket(1, 3);
        assertThat(b.tryAcquire(3)).isTrue();
        b.refund(2);
        assertThat(b.available()).isEqualTo(2);
        b.refund(3);
        assertThat(b.available()).isEqualTo(3);
    }

    @Test
    void hugeRatesAndBurstsDoNotOverflow() {
        TokenBucket b = bucket(TokenBucket.MAX_RATE, TokenBucket.MAX_BURST);
        assertThat(b.tryAcquire(TokenBucket.MAX_BURST)).isTrue();
        clock.advance(1);
        assertThat(b.available()).isEqualTo(1_000_000); // 1e15/s = 1e6 per ns
        assertThat(b.acquireOrDelay(TokenBucket.MAX_BURST, TokenBucket.MAX_DELAY.toNanos())).isEqualTo(999_999_999L);
        clock.advance(Duration.ofDays(365 * 200L).toNanos());
        assertThat(b.available()).isEqualTo(TokenBucket.MAX_BURST);
    }

    @Test
    void badParametersAreNamed() {
        assertThatThrownBy(() -> new RateLimit("requests/s", 0, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("requests/s: rate 0 (expected: 1..1000000000000000; a rate of zero or less would never let anything pass)");
        assertThatThrownBy(() -> new RateLimit("requests/s", -5, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("requests/s: rate -5 (expected: 1..");
        assertThatThrownBy(() -> new RateLimit("bytes/s", Long.MAX_VALUE, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bytes/s: rate 9223372036854775807 (expected: 1..1000000000000000)");
        assertThatThrownBy(() -> new RateLimit("bytes/s", 10, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bytes/s: burst 0 (expected: 1..");
        assertThatThrownBy(() -> new RateLimit("bytes/s", 10, TokenBucket.MAX_BURST + 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bytes/s: burst 1000000000000001 (expected: 1..1000000000000000)");
        TokenBucket b = bucket(10, 10);
        assertThatThrownBy(() -> b.tryAcquire(0)).hasMessage("test: 0 tokens (expected: >= 1)");
        assertThatThrownBy(() -> b.acquireOrDelay(-1, 0)).hasMessage("test: -1 tokens (expected: >= 1)");
        assertThatThrownBy(() -> b.acquireOrDelay(1, Duration.ofMinutes(2).toNanos()))
                .hasMessage("test: maxDelayNanos 120000000000 (expected: 0..60000000000)");
        assertThat(b.acquireOrDelay(Long.MAX_VALUE, TokenBucket.MAX_DELAY.toNanos())).isEqualTo(TokenBucket.REFUSED);
    }

    @Test
    void concurrentAcquiresNeverOverspend() throws Exception {
        TokenBucket b = new TokenBucket(new RateLimit("test", 1, 100_000), Ticker.system()); // ~no refill during the test
        AtomicLong granted = new AtomicLong();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 50_000; i++) {
                    if (b.tryAcquire(1)) {
                        granted.incrementAndGet();
                    }
                }
            });
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(granted.get()).isBetween(100_000L, 100_010L); // 1/s: at most a few refilled while running
    }
}
