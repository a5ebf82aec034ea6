package dev.netkit.core.backoff;

import static dev.netkit.core.internal.Checks.positive;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Delay before retry attempt {@code n} (1-based): {@code initial × multiplier^(n-1)}, capped at
 * {@code max}, then spread by ± {@code jitter} (a fraction) so that many clients that failed
 * together do not retry together. Immutable and thread-safe; the randomness is passed in, so a
 * seeded generator makes it reproducible.
 *
 * @param initial    delay before the first retry
 * @param multiplier growth per attempt, at least 1
 * @param jitter     relative spread in [0, 1): 0.2 means ± 20 %
 * @param max        cap on the delay before jitter
 */
public record ExponentialBackoff(Duration initial, double multiplier, double jitter, Duration max) {

    /** Validates every field, naming it and its value. */
    public ExponentialBackoff {
        positive("initial", initial);
        positive("max", max);
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier: " + multiplier + " (expected: >= 1)");
        }
        if (!(jitter >= 0.0 && jitter < 1.0)) {
            throw new IllegalArgumentException("jitter: " + jitter + " (expected: 0 <= jitter < 1)");
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max: " + max + " is below initial " + initial);
        }
    }

    /** gRPC's connection backoff: 1 s, × 1.6, ± 20 %, at most 120 s. */
    public static ExponentialBackoff grpcDefaults() {
        return new ExponentialBackoff(Duration.ofSeconds(1), 1.6, 0.2, Duration.ofSeconds(120));
    }

    /** The delay before retry {@code attempt} (1 = the first retry). */
    public Duration delay(int attempt, RandomGenerator random) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt: " + attempt + " (expected: >= 1)");
        }
        Objects.requireNonNull(random, "random");
        double base = Math.min(initial.toNanos() * Math.pow(multiplier, attempt - 1), max.toNanos());
        double spread = jitter == 0 ? 1.0 : 1.0 + jitter * (2 * random.nextDouble() - 1);
        return Duration.ofNanos(Math.round(base * spread));
    }
}
