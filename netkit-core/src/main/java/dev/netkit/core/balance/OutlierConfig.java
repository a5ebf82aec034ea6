package dev.netkit.core.balance;

import static dev.netkit.core.internal.Checks.inRange;
import static dev.netkit.core.internal.Checks.positive;

import java.time.Duration;

/**
 * Passive outlier detection: which endpoints the balancer ejects from picks, judging by the
 * outcomes of real requests, and for how long. Defaults follow Envoy's, except where noted.
 *
 * @param consecutiveFailures  failures in a row that eject an endpoint at once; 0 = off; default 5
 * @param failureRate          share of failed requests over one {@code interval} that ejects an
 *                             endpoint at the end of it, in (0, 1]; default 0.85 (Envoy's
 *                             failure-percentage rule, which Envoy leaves off by default; here on)
 * @param minimumRequests      requests an endpoint must have had in the interval for its failure
 *                             rate to count; default 50
 * @param interval             how often failure rates are judged, ejections that ran out are
 *                             lifted, and ejection multipliers of endpoints that stayed well
 *                             shrink by one; default 10 s
 * @param baseEjection         an endpoint's n-th ejection in a row lasts n × this; default 30 s
 * @param maxEjection          ...but never longer than this; default 300 s
 * @param maxEjectedShare      at most this share of the endpoints is ejected at once, though
 *                             always at least one, in [0, 1]; default 0.1 (Envoy's 10 %)
 */
public record OutlierConfig(
        int consecutiveFailures,
        double failureRate,
        int minimumRequests,
        Duration interval,
        Duration baseEjection,
        Duration maxEjection,
        double maxEjectedShare) {

    /** Validates every field. */
    public OutlierConfig {
        inRange("consecutiveFailures", consecutiveFailures, 0, 1_000_000);
        share("failureRate", failureRate, Double.MIN_VALUE);
        inRange("minimumRequests", minimumRequests, 1, Integer.MAX_VALUE);
        positive("interval", interval);
        positive("baseEjection", baseEjection);
        positive("maxEjection", maxEjection);
        if (maxEjection.compareTo(baseEjection) < 0) {
            throw new IllegalArgumentException("maxEjection: " + maxEjection + " (expected: >= baseEjection " + baseEjection + ")");
        }
        share("maxEjectedShare", maxEjectedShare, 0);
    }

    private static void share(String name, double value, double min) {
        if (!(value >= min && value <= 1)) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: " + (min > 0 ? "> 0" : ">= 0") + " and <= 1)");
        }
    }

    /** The defaults. */
    public static OutlierConfig defaults() {
        return new OutlierConfig(5, 0.85, 50, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(300), 0.1);
    }

    /** No passive ejection at all. */
    public static OutlierConfig disabled() {
        return new OutlierConfig(0, 1.0, Integer.MAX_VALUE, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(300), 0);
    }

    /** Whether anything can be ejected. */
    public boolean enabled() {
        return maxEjectedShare > 0 && (consecutiveFailures > 0 || minimumRequests < Integer.MAX_VALUE);
    }

    /** A copy with another consecutive-failure threshold. */
    public OutlierConfig withConsecutiveFailures(int value) {
        return new OutlierConfig(value, failureRate, minimumRequests, interval, baseEjection, maxEjection, maxEjectedShare);
    }

    /** A copy with another failure-rate rule. */
    public OutlierConfig withFailureRate(double rate, int minimum) {
        return new OutlierConfig(consecutiveFailures, rate, minimum, interval, baseEjection, maxEjection, maxEjectedShare);
    }

    /** A copy with other ejection times. */
    public OutlierConfig withEjection(Duration base, Duration max) {
        return new OutlierConfig(consecutiveFailures, failureRate, minimumRequests, interval, base, max, maxEjectedShare);
    }

    /** A copy with another sweep interval. */
    public OutlierConfig withInterval(Duration value) {
        return new OutlierConfig(consecutiveFailures, failureRate, minimumRequests, value, baseEjection, maxEjection, maxEjectedShare);
    }

    /** A copy with another cap on the ejected share. */
    public OutlierConfig withMaxEjectedShare(double value) {
        return new OutlierConfig(consecutiveFailures, failureRate, minimumRequests, interval, baseEjection, maxEjection, value);
    }
}
