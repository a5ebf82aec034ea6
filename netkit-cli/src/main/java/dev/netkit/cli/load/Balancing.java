package dev.netkit.cli.load;

import dev.netkit.core.balance.BalancerConfig;
import dev.netkit.core.balance.OutlierConfig;
import dev.netkit.core.breaker.BreakerConfig;
import dev.netkit.core.health.HealthCheckConfig;
import dev.netkit.core.internal.Checks;
import dev.netkit.core.retry.RetryPolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * How a load run spreads and protects its requests: the strategy, passive outlier detection, an
 * optional local zone, retries and optional active health checks.
 *
 * @param lb             the strategy
 * @param outlier        passive outlier detection
 * @param localZone      prefer targets in this zone; {@code ""} = none
 * @param retries        times a safely retryable failed request is sent again to another target;
 *                       0 = never
 * @param healthInterval active protocol probes of every target this often; zero = off
 * @param breaker        a circuit breaker per target (the library's default); false = none, for
 *                       loading a target that refuses on purpose (a rate limit), which a breaker
 *                       would stop sending to
 */
public record Balancing(LbChoice lb, OutlierConfig outlier, String localZone, int retries, Duration healthInterval,
                        boolean breaker) {
    /** The largest {@code retries}. */
    public static final int MAX_RETRIES = 10;

    /** Validates every field. */
    public Balancing {
        Objects.requireNonNull(lb, "lb");
        Objects.requireNonNull(outlier, "outlier");
        Objects.requireNonNull(localZone, "localZone");
        Checks.inRange("retries", retries, 0, MAX_RETRIES);
        Checks.notNegative("healthInterval", healthInterval);
    }

    /** Round robin, the library's outlier detection and retries, no zone, no health checks. */
    public static Balancing defaults() {
        return new Balancing(LbChoice.ROUND_ROBIN, OutlierConfig.defaults(), "",
                RetryPolicy.defaults().maxAttempts() - 1, Duration.ZERO, true);
    }

    /** The balancer configuration: the library's defaults with these choices. */
    public BalancerConfig balancerConfig() {
        BalancerConfig config = BalancerConfig.defaults().withStrategy(lb.strategy()).withOutlier(outlier).withLocalZone(localZone);
        return breaker ? config : config.withBreaker(BreakerConfig.disabled());
    }

    /** The retry policy: the library's, with {@code retries + 1} attempts. */
    public RetryPolicy retryPolicy() {
        return retries == 0 ? RetryPolicy.none() : RetryPolicy.defaults().toBuilder().maxAttempts(retries + 1).build();
    }

    /**
     * The health check configuration, or null when off: the library's defaults at this interval,
     * with a timeout of at most the interval.
     */
    public HealthCheckConfig healthCheck() {
        if (healthInterval.isZero()) {
            return null;
        }
        HealthCheckConfig defaults = HealthCheckConfig.defaults();
        Duration timeout = defaults.timeout().compareTo(healthInterval) > 0 ? healthInterval : defaults.timeout();
        return defaults.toBuilder().interval(healthInterval).timeout(timeout).build();
    }
}
