package dev.netkit.core.breaker;

import static dev.netkit.core.internal.Checks.inRange;
import static dev.netkit.core.internal.Checks.positive;
import static dev.netkit.core.internal.Checks.positiveFraction;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable configuration of a {@link CircuitBreaker}; build one with {@link #builder()}. Every
 * value is validated with a message naming the field, its value and what was expected.
 *
 * <p>The thresholds and window kinds are Resilience4j's; several defaults are not, because
 * Resilience4j's (window of 100 calls, 100 calls before any verdict, 60 s open, 60 s "slow")
 * suit a service calling a few dependencies, while netkit breaks per endpoint of an RPC cluster,
 * where a dead replica should be noticed in seconds and a restarted one used again in seconds.
 * Rates are fractions (0.5 = 50 %), as elsewhere in netkit.
 *
 * @param enabled                  false = the breaker always permits and records nothing (it stays
 *                                 CLOSED); default true
 * @param failureRateThreshold     the breaker opens when at least this share of the calls in the
 *                                 window failed; in (0, 1]; default 0.5 (Resilience4j's)
 * @param slowCallRateThreshold    ... or when at least this share took longer than
 *                                 {@code slowCallDuration}; in (0, 1]; default 1.0 (Resilience4j's):
 *                                 only an endpoint where every call is slow, which is stuck
 *                                 rather than busy
 * @param slowCallDuration         a call taking longer than this is slow; default 2 s, not
 *                                 Resilience4j's 60 s, which is longer than the broker's 5 s
 *                                 request deadline and so could never count
 * @param windowType               what the window holds; default {@link WindowType#TIME_BASED}, so
 *                                 a verdict is about the last seconds whatever the traffic (a count
 *                                 window on a quiet endpoint still judges it by calls from an hour ago)
 * @param windowSize               calls (COUNT_BASED) or seconds (TIME_BASED) in the window;
 *                                 1..1,000,000 calls or 1..3600 s; default 10 s
 * @param minimumCalls             no rate is computed, so the breaker cannot open, before the
 *                                 window holds this many calls; for COUNT_BASED at most
 *                                 {@code windowSize}; default 20 (Resilience4j: 100, which at 10 s
 *                                 would ignore endpoints under 10 calls/s): 50 % of 20 is at least
 *                                 10 failures, enough not to open on a blip
 * @param waitInOpen               how long the breaker refuses before letting trial calls through;
 *                                 default 10 s (Resilience4j: 60 s): a restarted replica is usually
 *                                 back within seconds, and the trials that find out are few
 * @param permittedCallsInHalfOpen trial calls let through in HALF_OPEN; their outcomes close or
 *                                 reopen the breaker; 1..10,000; default 10 (Resilience4j's)
 */
public record BreakerConfig(
        boolean enabled,
        double failureRateThreshold,
        double slowCallRateThreshold,
        Duration slowCallDuration,
        WindowType windowType,
        int windowSize,
        int minimumCalls,
        Duration waitInOpen,
        int permittedCallsInHalfOpen) {

    /** Longest TIME_BASED window, in seconds (its buckets are allocated up front). */
    public static final int MAX_WINDOW_SECONDS = 3600;
    /** Largest COUNT_BASED window, in calls. */
    public static final int MAX_WINDOW_CALLS = 1_000_000;

    /** What a breaker's window holds. */
    public enum WindowType {
        /** The outcomes of the last {@code windowSize} calls. */
        COUNT_BASED,
        /** The outcomes of the last {@code windowSize} seconds, in one-second buckets (so between
         *  {@code windowSize - 1} and {@code windowSize} seconds of history). */
        TIME_BASED
    }

    /** Validates every field. */
    public BreakerConfig {
        positiveFraction("failureRateThreshold", failureRateThreshold);
        positiveFraction("slowCallRateThreshold", slowCallRateThreshold);
        positive("slowCallDuration", slowCallDuration);
        Objects.requireNonNull(windowType, "windowType");
        inRange("windowSize", windowSize, 1,
                windowType == WindowType.TIME_BASED ? MAX_WINDOW_SECONDS : MAX_WINDOW_CALLS);
        positive("minimumCalls", minimumCalls);
        if (windowType == WindowType.COUNT_BASED && minimumCalls > windowSize) {
            throw new IllegalArgumentException("minimumCalls: " + minimumCalls + " (expected: <= windowSize "
                    + windowSize + ", as a COUNT_BASED window never holds more)");
        }
        positive("waitInOpen", waitInOpen);
        inRange("permittedCallsInHalfOpen", permittedCallsInHalfOpen, 1, 10_000);
    }

    /** The defaults (see the class description). */
    public static BreakerConfig defaults() {
        return new Builder().build();
    }

    /** A configuration whose breaker never opens and records nothing. */
    public static BreakerConfig disabled() {
        return new Builder().enabled(false).build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Mutable builder for {@link BreakerConfig}; {@link #build()} validates. */
    public static final class Builder {
        private boolean enabled = true;
        private double failureRateThreshold = 0.5;
        private double slowCallRateThreshold = 1.0;
        private Duration slowCallDuration = Duration.ofSeconds(2);
        private WindowType windowType = WindowType.TIME_BASED;
        private int windowSize = 10;
        private int minimumCalls = 20;
        private Duration waitInOpen = Duration.ofSeconds(10);
        private int permittedCallsInHalfOpen = 10;

        private Builder() {}

        private Builder(BreakerConfig c) {
            enabled = c.enabled;
            failureRateThreshold = c.failureRateThreshold;
            slowCallRateThreshold = c.slowCallRateThreshold;
            slowCallDuration = c.slowCallDuration;
            windowType = c.windowType;
            windowSize = c.windowSize;
            minimumCalls = c.minimumCalls;
            waitInOpen = c.waitInOpen;
            permittedCallsInHalfOpen = c.permittedCallsInHalfOpen;
        }

        /** @see BreakerConfig#enabled() */
        public Builder enabled(boolean v) { enabled = v; return this; }
        /** @see BreakerConfig#failureRateThreshold() */
        public Builder failureRateThreshold(double v) { failureRateThreshold = v; return this; }
        /** @see BreakerConfig#slowCallRateThreshold() */
        public Builder slowCallRateThreshold(double v) { slowCallRateThreshold = v; return this; }
        /** @see BreakerConfig#slowCallDuration() */
        public Builder slowCallDuration(Duration v) { slowCallDuration = v; return this; }
        /** @see BreakerConfig#windowType() */
        public Builder windowType(WindowType v) { windowType = v; return this; }
        /** @see BreakerConfig#windowSize() */
        public Builder windowSize(int v) { windowSize = v; return this; }
        /** A window of the last {@code calls} calls. */
        public Builder countWindow(int calls) { windowType = WindowType.COUNT_BASED; windowSize = calls; return this; }
        /** A window of the last {@code seconds} seconds. */
        public Builder timeWindow(int seconds) { windowType = WindowType.TIME_BASED; windowSize = seconds; return this; }
        /** @see BreakerConfig#minimumCalls() */
        public Builder minimumCalls(int v) { minimumCalls = v; return this; }
        /** @see BreakerConfig#waitInOpen() */
        public Builder waitInOpen(Duration v) { waitInOpen = v; return this; }
        /** @see BreakerConfig#permittedCallsInHalfOpen() */
        public Builder permittedCallsInHalfOpen(int v) { permittedCallsInHalfOpen = v; return this; }

        /** Validates and builds the configuration. */
        public BreakerConfig build() {
            return new BreakerConfig(enabled, failureRateThreshold, slowCallRateThreshold, slowCallDuration,
                    windowType, windowSize, minimumCalls, waitInOpen, permittedCallsInHalfOpen);
        }
    }
}
