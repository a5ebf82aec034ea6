package dev.netkit.core.balance;

import static dev.netkit.core.internal.Checks.inRange;
import static dev.netkit.core.internal.Checks.notNegative;

import dev.netkit.core.breaker.BreakerConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link LoadBalancer} chooses and when it takes endpoints out of service.
 *
 * @param strategy          how picks are made; default {@link Strategy#ROUND_ROBIN}
 * @param localZone         prefer endpoints in this zone, spilling over to the others when it is
 *                          unhealthy; {@code ""} = no zone preference (default)
 * @param zoneOverloadThreshold with a local zone: a local pick with this many requests
 *                          outstanding may spill to a less loaded endpoint of another zone;
 *                          0 = only an unhealthy local zone spills (default)
 * @param pickerOptions     ring and Maglev table sizes of the hashing strategies; default
 *                          {@link PickerOptions#defaults()}
 * @param panicThreshold    when fewer than this share of the endpoints is in service, the
 *                          balancer ignores health and ejection and picks from all of them (a
 *                          brown-out should spread, not concentrate on the few left); in [0, 1],
 *                          0 = never; default 0.5 (Envoy's)
 * @param outlier           passive outlier detection; default {@link OutlierConfig#defaults()}
 * @param slowStartWindow   an endpoint that is added or returns to service ramps its weight up
 *                          over this time; zero = off (default). It acts through the effective
 *                          weight, so on the strategies that use weights
 * @param slowStartMinShare the weight share a returning endpoint starts at, in (0, 1]; default 0.1
 * @param breaker           a circuit breaker per endpoint: while OPEN the endpoint is not picked,
 *                          after its wait a few trial requests go through (HALF_OPEN) and decide;
 *                          default {@link BreakerConfig#defaults()}; {@link BreakerConfig#disabled()}
 *                          for none
 * @param maxPickEffort     a pick that lands on an endpoint whose breaker refuses (a half-open
 *                          breaker with its trial requests used up) is retried this many times;
 *                          default 5 (Finagle's)
 */
public record BalancerConfig(
        Strategy strategy,
        String localZone,
        int zoneOverloadThreshold,
        PickerOptions pickerOptions,
        double panicThreshold,
        OutlierConfig outlier,
        Duration slowStartWindow,
        double slowStartMinShare,
        BreakerConfig breaker,
        int maxPickEffort) {

    /** Validates every field. */
    public BalancerConfig {
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(localZone, "localZone");
        inRange("zoneOverloadThreshold", zoneOverloadThreshold, 0, Integer.MAX_VALUE);
        Objects.requireNonNull(pickerOptions, "pickerOptions");
        if (!(panicThreshold >= 0 && panicThreshold <= 1)) {
            throw new IllegalArgumentException("panicThreshold: " + panicThreshold + " (expected: 0..1)");
        }
        Objects.requireNonNull(outlier, "outlier");
        notNegative("slowStartWindow", slowStartWindow);
        if (!(slowStartMinShare > 0 && slowStartMinShare <= 1)) {
            throw new IllegalArgumentException("slowStartMinShare: " + slowStartMinShare + " (expected: > 0 and <= 1)");
        }
        Objects.requireNonNull(breaker, "breaker");
        inRange("maxPickEffort", maxPickEffort, 1, 100);
    }

    /** Round robin with the default outlier detection, panic threshold and no slow start. */
    public static BalancerConfig defaults() {
        return new BalancerConfig(Strategy.ROUND_ROBIN, "", 0, PickerOptions.defaults(), 0.5, OutlierConfig.defaults(), Duration.ZERO, 0.1, BreakerConfig.defaults(), 5);
    }

    /** A copy with another strategy. */
    public BalancerConfig withStrategy(Strategy value) {
        return new BalancerConfig(value, localZone, zoneOverloadThreshold, pickerOptions, panicThreshold, outlier, slowStartWindow, slowStartMinShare, breaker, maxPickEffort);
    }

    /** A copy preferring {@code zone}. */
    public BalancerConfig withLocalZone(String zone) {
        return new BalancerConfig(strategy, zone, zoneOverloadThreshold, pickerOptions, panicThreshold, outlier, slowStartWindow, slowStartMinShare, breaker, maxPickEffort);
    }

    /** A copy preferring {@code zone}, spilling a local pick with {@code overloadThreshold} requests outstanding. */
    public BalancerConfig withLocalZone(String zone, int overloadThreshold) {
        return new BalancerConfig(strategy, zone, overloadThreshold, pickerOptions, panicThreshold, outlier, slowStartWindow, slowStartMinShare, breaker, maxPickEffort);
    }

    /** A copy with other ring / Maglev sizes. */
    public BalancerConfig withPickerOptions(PickerOptions value) {
        return new BalancerConfig(strategy, localZone, zoneOverloadThreshold, value, panicThreshold, outlier, slowStartWindow, slowStartMinShare, breaker, maxPickEffort);
    }

    /** A copy with another panic threshold. */
    public BalancerConfig withPanicThreshold(double value) {
        return new BalancerConfig(strategy, localZone, zoneOverloadThreshold, pickerOptions, value, outlier, slowStartWindow, slowStartMinShare, breaker, maxPickEffort);
    }

    /** A copy with other outlier detection. */
    public BalancerConfig withOutlier(OutlierConfig value) {
        return new BalancerConfig(strategy, localZone, zoneOverloadThreshold, pickerOptions, panicThreshold, value, slowStartWindow, slowStartMinShare, breaker, maxPickEffort);
    }

    /** A copy with another circuit breaker configuration. */
    public BalancerConfig withBreaker(BreakerConfig value) {
        return new BalancerConfig(strategy, localZone, zoneOverloadThreshold, pickerOptions, panicThreshold, outlier, slowStartWindow, slowStartMinShare, value, maxPickEffort);
    }

    /** A copy with slow start over {@code window}, starting at {@code minShare} of the weight. */
    public BalancerConfig withSlowStart(Duration window, double minShare) {
        return new BalancerConfig(strategy, localZone, zoneOverloadThreshold, pickerOptions, panicThreshold, outlier, window, minShare, breaker, maxPickEffort);
    }
}
