package dev.netkit.core.pool;

import static dev.netkit.core.internal.Checks.inRange;
import static dev.netkit.core.internal.Checks.notNegative;
import static dev.netkit.core.internal.Checks.positive;

import dev.netkit.core.backoff.ExponentialBackoff;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable configuration of a {@link ConnectionPool}; build one with {@link #builder()}. Every
 * value is validated with a message naming the field, its value and what was expected.
 *
 * @param minIdle                 connections with spare capacity the pool keeps open even when
 *                                nothing uses them: opened at start, reopened after losses (for
 *                                exclusive connections these are idle ones, as in HikariCP); default 0
 * @param maxTotal                connections open or being opened, at most; default 8
 * @param maxLeasesPerConnection  leases one connection carries at once: 1 = exclusive checkout;
 *                                more = a shared multiplexed connection, leased least-loaded first;
 *                                default 1
 * @param maxPending              acquirers allowed to wait; one more is refused at once; 0 = never
 *                                wait (acquires then succeed only on a free connection, so keep min
 *                                idle above 0); default 1000
 * @param acquireTimeout          default wait of {@link ConnectionPool#acquire()}; default 5 s
 * @param dialTimeout             how long opening a connection may take; default 3 s
 * @param maxConcurrentDials      dials in progress at once; default 4
 * @param dialBackoff             wait after consecutive failed dials before the next; while it runs
 *                                and no connection is open, acquirers fail fast with the dial error;
 *                                default gRPC's 1 s × 1.6 ± 20 %, at most 120 s
 * @param redialDelayMax          a connection lost to the peer is replaced (to keep min idle) after a
 *                                random delay up to this, so many clients do not reconnect to a
 *                                restarted server at the same instant; default 1 s
 * @param idleTimeout             unused connections above min idle close after this; zero = never;
 *                                default 10 min
 * @param maxLifetime             connections retire after this, shortened per connection by a random
 *                                share up to {@code lifetimeJitter}; zero = unlimited; default 30 min
 * @param lifetimeJitter          the random share in [0, 0.5]; default 0.1
 * @param validationInterval      how often each idle connection is validated (when a
 *                                {@link Validator} is set); default 30 s
 * @param validationTimeout       a validation not answered in this time fails; default 1 s
 * @param validationShare         at most this share of idle connections (at least one) is out of
 *                                service for validation at once; default 0.1
 * @param maintenanceInterval     period of the background pass (idle timeout, lifetime,
 *                                validation, min idle); default 1 s
 * @param leakDetectionThreshold  a lease held longer logs, once, the stack of its acquirer; zero =
 *                                off (capturing the stack costs microseconds per acquire); default 0
 */
public record PoolConfig(
        int minIdle,
        int maxTotal,
        int maxLeasesPerConnection,
        int maxPending,
        Duration acquireTimeout,
        Duration dialTimeout,
        int maxConcurrentDials,
        ExponentialBackoff dialBackoff,
        Duration redialDelayMax,
        Duration idleTimeout,
        Duration maxLifetime,
        double lifetimeJitter,
        Duration validationInterval,
        Duration validationTimeout,
        double validationShare,
        Duration maintenanceInterval,
        Duration leakDetectionThreshold) {

    /** Validates every field. */
    public PoolConfig {
        inRange("minIdle", minIdle, 0, Integer.MAX_VALUE);
        positive("maxTotal", maxTotal);
        if (minIdle > maxTotal) {
            throw new IllegalArgumentException("minIdle: " + minIdle + " (expected: <= maxTotal " + maxTotal + ")");
        }
        positive("maxLeasesPerConnection", maxLeasesPerConnection);
        inRange("maxPending", maxPending, 0, Integer.MAX_VALUE);
        positive("acquireTimeout", acquireTimeout);
        positive("dialTimeout", dialTimeout);
        positive("maxConcurrentDials", maxConcurrentDials);
        Objects.requireNonNull(dialBackoff, "dialBackoff");
        notNegative("redialDelayMax", redialDelayMax);
        notNegative("idleTimeout", idleTimeout);
        notNegative("maxLifetime", maxLifetime);
        if (!(lifetimeJitter >= 0 && lifetimeJitter <= 0.5)) {
            throw new IllegalArgumentException("lifetimeJitter: " + lifetimeJitter + " (expected: 0..0.5)");
        }
        positive("validationInterval", validationInterval);
        positive("validationTimeout", validationTimeout);
        if (!(validationShare > 0 && validationShare <= 1)) {
            throw new IllegalArgumentException("validationShare: " + validationShare + " (expected: > 0 and <= 1)");
        }
        positive("maintenanceInterval", maintenanceInterval);
        notNegative("leakDetectionThreshold", leakDetectionThreshold);
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Mutable builder for {@link PoolConfig}; {@link #build()} validates. */
    public static final class Builder {
        private int minIdle = 0;
        private int maxTotal = 8;
        private int maxLeasesPerConnection = 1;
        private int maxPending = 1000;
        private Duration acquireTimeout = Duration.ofSeconds(5);
        private Duration dialTimeout = Duration.ofSeconds(3);
        private int maxConcurrentDials = 4;
        private ExponentialBackoff dialBackoff = ExponentialBackoff.grpcDefaults();
        private Duration redialDelayMax = Duration.ofSeconds(1);
        private Duration idleTimeout = Duration.ofMinutes(10);
        private Duration maxLifetime = Duration.ofMinutes(30);
        private double lifetimeJitter = 0.1;
        private Duration validationInterval = Duration.ofSeconds(30);
        private Duration validationTimeout = Duration.ofSeconds(1);
        private double validationShare = 0.1;
        private Duration maintenanceInterval = Duration.ofSeconds(1);
        private Duration leakDetectionThreshold = Duration.ZERO;

        private Builder() {}

        private Builder(PoolConfig c) {
            minIdle = c.minIdle;
            maxTotal = c.maxTotal;
            maxLeasesPerConnection = c.maxLeasesPerConnection;
            maxPending = c.maxPending;
            acquireTimeout = c.acquireTimeout;
            dialTimeout = c.dialTimeout;
            maxConcurrentDials = c.maxConcurrentDials;
            dialBackoff = c.dialBackoff;
            redialDelayMax = c.redialDelayMax;
            idleTimeout = c.idleTimeout;
            maxLifetime = c.maxLifetime;
            lifetimeJitter = c.lifetimeJitter;
            validationInterval = c.validationInterval;
            validationTimeout = c.validationTimeout;
            validationShare = c.validationShare;
            maintenanceInterval = c.maintenanceInterval;
            leakDetectionThreshold = c.leakDetectionThreshold;
        }

        /** @see PoolConfig#minIdle() */
        public Builder minIdle(int v) { minIdle = v; return this; }
        /** @see PoolConfig#maxTotal() */
        public Builder maxTotal(int v) { maxTotal = v; return this; }
        /** @see PoolConfig#maxLeasesPerConnection() */
        public Builder maxLeasesPerConnection(int v) { maxLeasesPerConnection = v; return this; }
        /** @see PoolConfig#maxPending() */
        public Builder maxPending(int v) { maxPending = v; return this; }
        /** @see PoolConfig#acquireTimeout() */
        public Builder acquireTimeout(Duration v) { acquireTimeout = v; return this; }
        /** @see PoolConfig#dialTimeout() */
        public Builder dialTimeout(Duration v) { dialTimeout = v; return this; }
        /** @see PoolConfig#maxConcurrentDials() */
        public Builder maxConcurrentDials(int v) { maxConcurrentDials = v; return this; }
        /** @see PoolConfig#dialBackoff() */
        public Builder dialBackoff(ExponentialBackoff v) { dialBackoff = v; return this; }
        /** @see PoolConfig#redialDelayMax() */
        public Builder redialDelayMax(Duration v) { redialDelayMax = v; return this; }
        /** @see PoolConfig#idleTimeout() */
        public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }
        /** @see PoolConfig#maxLifetime() */
        public Builder maxLifetime(Duration v) { maxLifetime = v; return this; }
        /** @see PoolConfig#lifetimeJitter() */
        public Builder lifetimeJitter(double v) { lifetimeJitter = v; return this; }
        /** @see PoolConfig#validationInterval() */
        public Builder validationInterval(Duration v) { validationInterval = v; return this; }
        /** @see PoolConfig#validationTimeout() */
        public Builder validationTimeout(Duration v) { validationTimeout = v; return this; }
        /** @see PoolConfig#validationShare() */
        public Builder validationShare(double v) { validationShare = v; return this; }
        /** @see PoolConfig#maintenanceInterval() */
        public Builder maintenanceInterval(Duration v) { maintenanceInterval = v; return this; }
        /** @see PoolConfig#leakDetectionThreshold() */
        public Builder leakDetectionThreshold(Duration v) { leakDetectionThreshold = v; return this; }

        /** Validates and builds the configuration. */
        public PoolConfig build() {
            return new PoolConfig(minIdle, maxTotal, maxLeasesPerConnection, maxPending, acquireTimeout, dialTimeout,
                    maxConcurrentDials, dialBackoff, redialDelayMax, idleTimeout, maxLifetime, lifetimeJitter,
                    validationInterval, validationTimeout, validationShare, maintenanceInterval, leakDetectionThreshold);
        }
    }
}
