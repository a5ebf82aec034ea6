package dev.netkit.core.health;

import static dev.netkit.core.internal.Checks.inRange;
import static dev.netkit.core.internal.Checks.positive;

import java.time.Duration;

/**
 * Immutable configuration of a {@link HealthCheckRunner}; build one with {@link #builder()}.
 * Defaults follow HAProxy ({@code inter 2s rise 2 fall 3}) with Envoy's interval jitter. Every
 * value is validated with a message naming the field, its value and what was expected.
 *
 * @param interval           pause between the end of one check and the start of the next;
 *                           default 2 s
 * @param jitter             each pause is lengthened by a random share of the interval up to
 *                           this fraction, so checks of many endpoints (and of many clients) do
 *                           not fire together; in [0, 1]; default 0.1
 * @param timeout            a check that has not completed after this counts as failed; default 1 s
 * @param healthyThreshold   consecutive passed checks that make an unhealthy endpoint healthy
 *                           (HAProxy's {@code rise}); default 2
 * @param unhealthyThreshold consecutive failed checks that make a healthy endpoint unhealthy
 *                           (HAProxy's {@code fall}); default 3
 * @param initiallyHealthy   the state before any check has completed. {@code true} (the default,
 *                           as suits a client library: the first requests are not refused while
 *                           the first checks run): healthy until {@code unhealthyThreshold}
 *                           checks fail. {@code false} (Envoy's behaviour for a newly added host):
 *                           unhealthy until a check passes; that first pass alone suffices, later
 *                           recoveries need {@code healthyThreshold}
 */
public record HealthCheckConfig(
        Duration interval,
        double jitter,
        Duration timeout,
        int healthyThreshold,
        int unhealthyThreshold,
        boolean initiallyHealthy) {

    /** Validates every field. */
    public HealthCheckConfig {
        positive("interval", interval);
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter: " + jitter + " (expected: 0..1, a fraction of the interval)");
        }
        positive("timeout", timeout);
        inRange("healthyThreshold", healthyThreshold, 1, 1_000);
        inRange("unhealthyThreshold", unhealthyThreshold, 1, 1_000);
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults: 2 s ± 10 %, timeout 1 s, rise 2, fall 3, initially healthy. */
    public static HealthCheckConfig defaults() {
        return builder().build();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Mutable builder for {@link HealthCheckConfig}; {@link #build()} validates. */
    public static final class Builder {
        private Duration interval = Duration.ofSeconds(2);
        private double jitter = 0.1;
        private Duration timeout = Duration.ofSeconds(1);
        private int healthyThreshold = 2;
        private int unhealthyThreshold = 3;
        private boolean initiallyHealthy = true;

        private Builder() {}

        private Builder(HealthCheckConfig c) {
            interval = c.interval;
            jitter = c.jitter;
            timeout = c.timeout;
            healthyThreshold = c.healthyThreshold;
            unhealthyThreshold = c.unhealthyThreshold;
            initiallyHealthy = c.initiallyHealthy;
        }

        /** @see HealthCheckConfig#interval() */
        public Builder interval(Duration v) { interval = v; return this; }
        /** @see HealthCheckConfig#jitter() */
        public Builder jitter(double v) { jitter = v; return this; }
        /** @see HealthCheckConfig#timeout() */
        public Builder timeout(Duration v) { timeout = v; return this; }
        /** @see HealthCheckConfig#healthyThreshold() */
        public Builder healthyThreshold(int v) { healthyThreshold = v; return this; }
        /** @see HealthCheckConfig#unhealthyThreshold() */
        public Builder unhealthyThreshold(int v) { unhealthyThreshold = v; return this; }
        /** @see HealthCheckConfig#initiallyHealthy() */
        public Builder initiallyHealthy(boolean v) { initiallyHealthy = v; return this; }

        /** Validates and builds the configuration. */
        public HealthCheckConfig build() {
            return new HealthCheckConfig(interval, jitter, timeout, healthyThreshold, unhealthyThreshold, initiallyHealthy);
        }
    }
}
