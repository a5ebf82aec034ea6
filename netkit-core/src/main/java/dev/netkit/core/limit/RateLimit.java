package dev.netkit.core.limit;

import java.util.Objects;

/**
 * A token bucket's configuration: a sustained rate and a burst, both whole tokens (requests or
 * bytes). Immutable; each value is checked with a message naming the limit, the parameter and
 * the value.
 *
 * @param name      what is limited, for error messages and stats (e.g. {@code "requests/s per connection"})
 * @param perSecond tokens added per second, 1 .. {@value TokenBucket#MAX_RATE}
 * @param burst     tokens the bucket holds at most (what may pass at once after a quiet period),
 *                  1 .. {@value TokenBucket#MAX_BURST}
 */
public record RateLimit(String name, long perSecond, long burst) {
    /** Validates the values. */
    public RateLimit {
        Objects.requireNonNull(name, "name");
        check(name, "rate", perSecond, TokenBucket.MAX_RATE);
        check(name, "burst", burst, TokenBucket.MAX_BURST);
    }

    /** A limit whose burst is one second of rate. */
    public static RateLimit of(String name, long perSecond) {
        return new RateLimit(name, perSecond, perSecond);
    }

    /** A copy with another name (the same numbers). */
    public RateLimit named(String value) {
        return new RateLimit(value, perSecond, burst);
    }

    private static void check(String limit, String parameter, long value, long max) {
        if (value <= 0 || value > max) {
            throw new IllegalArgumentException(limit + ": " + parameter + " " + value + " (expected: 1.." + max
                    + (value <= 0 ? "; a " + parameter + " of zero or less would never let anything pass" : "") + ")");
        }
    }

    @Override
    public String toString() {
        return name + " " + perSecond + "/s burst " + burst;
    }
}
