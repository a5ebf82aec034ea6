package dev.netkit.netty.client;

import dev.netkit.core.internal.Checks;
import dev.netkit.core.limit.RateLimit;

/**
 * A client-side rate limit on {@link Broker#send}: requests per second and bytes per second (each
 * optional; request frames, headers included). A send over the limit is delayed on a timer until
 * its tokens are earned, never by blocking the caller; at most {@code maxDelayedSends} wait at
 * once, and one more (or one whose wait would outlast its deadline) fails at once with
 * {@link dev.netkit.core.error.RateLimitedException}.
 *
 * @param requests        requests per second and burst, or null for no request limit
 * @param bytes           bytes per second and burst, or null for no byte limit
 * @param maxDelayedSends sends waiting for tokens at once, at least 1
 */
public record SendLimit(RateLimit requests, RateLimit bytes, int maxDelayedSends) {
    /** Validates: at least one limit, and the bound. */
    public SendLimit {
        if (requests == null && bytes == null) {
            throw new IllegalArgumentException("sendLimit: neither requests nor bytes limited (expected: at least one)");
        }
        Checks.positive("maxDelayedSends", maxDelayedSends);
    }

    /** A requests-per-second limit with a burst of {@code burst} and up to 1,000 delayed sends. */
    public static SendLimit requestsPerSecond(long rate, long burst) {
        return new SendLimit(new RateLimit("broker send requests/s", rate, burst), null, 1_000);
    }
}
