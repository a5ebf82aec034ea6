package dev.netkit.netty.fleet;

import java.time.Duration;
import java.util.Objects;

/**
 * Where a fleet-wide limit keeps its state and how each member behaves. Immutable; every value is
 * checked with a message naming it.
 *
 * @param redisHost host of the Redis server holding the limit's state
 * @param redisPort its port, 1..65535
 * @param key       the Redis key of the limit (members of one fleet use the same key; the member
 *                  set is {@code key + ":members"}); non-blank, at most {@value #MAX_KEY_LENGTH} characters
 * @param members   how many members share the limit, 1..{@value #MAX_MEMBERS}: while Redis cannot be
 *                  used each member admits {@code 1/members} of the rate (the member count Redis
 *                  last reported wins over it once known)
 * @param timeout   how long one round trip may take before Redis counts as failed, 1 ms..10 s
 * @param batch     tokens taken per round trip, 0 = automatic (1 % of the rate: 10 ms of it, at
 *                  least 1, at most half the burst); at most {@value #MAX_BATCH}
 */
public record FleetConfig(String redisHost, int redisPort, String key, int members, Duration timeout, long batch) {
    /** Default {@link #timeout()}: 50 ms. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(50);
    /** Largest {@link #members()}. */
    public static final int MAX_MEMBERS = 10_000;
    /** Longest {@link #key()}. */
    public static final int MAX_KEY_LENGTH = 256;
    /** Largest {@link #batch()}. */
    public static final long MAX_BATCH = 1_000_000;

    /** Validates every value. */
    public FleetConfig {
        Objects.requireNonNull(redisHost, "redisHost");
        if (redisHost.isBlank()) {
            throw new IllegalArgumentException("fleet redis: host is empty (expected: host:port)");
        }
        if (redisPort < 1 || redisPort > 65_535) {
            throw new IllegalArgumentException("fleet redis: port " + redisPort + " (expected: 1..65535)");
        }
        Objects.requireNonNull(key, "key");
        if (key.isBlank() || key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("fleet key: '" + key + "' (expected: 1.." + MAX_KEY_LENGTH + " characters, not blank)");
        }
        if (members < 1 || members > MAX_MEMBERS) {
            throw new IllegalArgumentException("fleet members: " + members + " (expected: 1.." + MAX_MEMBERS + ")");
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new IllegalArgumentException("fleet timeout: " + timeout + " (expected: 1ms..10s)");
        }
        if (batch < 0 || batch > MAX_BATCH) {
            throw new IllegalArgumentException("fleet batch: " + batch + " (expected: 0..." + MAX_BATCH + "; 0 = automatic)");
        }
    }

    /** A fleet limit at {@code host:port} under {@code key} for {@code members} members, default timeout, automatic batch. */
    public static FleetConfig of(String host, int port, String key, int members) {
        return new FleetConfig(host, port, key, members, DEFAULT_TIMEOUT, 0);
    }

    /** A copy with another round-trip timeout. */
    public FleetConfig withTimeout(Duration value) {
        return new FleetConfig(redisHost, redisPort, key, members, value, batch);
    }

    /** A copy with another batch size (0 = automatic). */
    public FleetConfig withBatch(long value) {
        return new FleetConfig(redisHost, redisPort, key, members, timeout, value);
    }
}
