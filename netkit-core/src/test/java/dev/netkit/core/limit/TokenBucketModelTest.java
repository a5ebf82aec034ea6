package dev.netkit.core.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.time.Ticker;
import java.math.BigInteger;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The bucket against a reference model in arbitrary precision (BigInteger tokens scaled by 10^9),
 * over random rates, bursts, time steps (tiny to hours) and charges, seeded and printed: every
 * grant, refusal and availability must match the model exactly.
 */
class TokenBucketModelTest {
    private static final BigInteger NANOS = BigInteger.valueOf(1_000_000_000L);

    @Test
    void matchesAnExactModel() {
        long seed = System.nanoTime();
        System.out.println("TokenBucketModelTest seed " + seed);
        Random random = new Random(seed);
        for (int run = 0; run < 200; run++) {
            long rate = switch (random.nextInt(4)) {
                case 0 -> 1 + random.nextInt(10);
                case 1 -> 1 + random.nextInt(1_000_000);
                case 2 -> 1 + (random.nextLong() & Long.MAX_VALUE) % 1_000_000_000_000L;
                default -> TokenBucket.MAX_RATE - random.nextInt(1000);
            };
            long burst = 1 + (random.nextLong() & Long.MAX_VALUE) % Math.min(TokenBucket.MAX_BURST, rate * 10);
            check(seed, run, random, rate, burst);
        }
    }

    private static void check(long seed, int run, Random random, long rate, long burst) {
        AtomicLong now = new AtomicLong(random.nextLong());
        Ticker ticker = now::get;
        TokenBucket bucket = new TokenBucket(new RateLimit("model", rate, burst), ticker);
        // Model: tokens x 10^9, capped at burst x 10^9; whole tokens are earned as floor(elapsed x rate / 10^9) grows.
        BigInteger cap = BigInteger.valueOf(burst).multiply(NANOS);
        BigInteger scaled = cap;
        BigInteger r = BigInteger.valueOf(rate);
        BigInteger earnedTotal = BigInteger.ZERO; // elapsed x rate since origin
        for (int step = 0; step < 300; step++) {
            long dt = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(10);
                case 1 -> random.nextInt(1_000_000);
                case 2 -> random.nextInt(1_000_000_000);
                default -> (random.nextLong() & Long.MAX_VALUE) % 7_200_000_000_000L; // up to 2 h
            };
            now.addAndGet(dt);
            // Whole tokens earned in this step = floor((total + dt*rate)/1e9) - floor(total/1e9).
            BigInteger before = earnedTotal.divide(NANOS);
            earnedTotal = earnedTotal.add(BigInteger.valueOf(dt).multiply(r));
            BigInteger whole = earnedTotal.divide(NANOS).subtract(before);
            scaled = scaled.add(whole.multiply(NANOS)).min(cap);
            long available = scaled.divide(NANOS).longValueExact();
            assertThat(bucket.available()).as("seed %d run %d step %d rate %d burst %d", seed, run, step, rate, burst)
                    .isEqualTo(available);
            long n = 1 + (random.nextLong() & Long.MAX_VALUE) % burst;
            boolean granted = bucket.tryAcquire(n);
            assertThat(granted).as("seed %d run %d step %d: %d of %d", seed, run, step, n, available).isEqualTo(n <= available);
            if (granted) {
                scaled = scaled.subtract(BigInteger.valueOf(n).multiply(NANOS));
            }
        }
    }
}
