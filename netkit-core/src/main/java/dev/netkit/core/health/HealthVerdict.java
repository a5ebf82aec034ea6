package dev.netkit.core.health;

import dev.netkit.core.endpoint.Endpoint;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The rise/fall state machine of one endpoint's health: turns check outcomes into a verdict with
 * {@link HealthCheckConfig#healthyThreshold()} and {@link HealthCheckConfig#unhealthyThreshold()},
 * and keeps the counters of {@link HealthCheckStats}.
 *
 * <p>Not thread-safe: {@link HealthCheckRunner} calls every method under its lock, except
 * {@link #healthy()}, a volatile read.
 */
final class HealthVerdict {
    private final HealthCheckConfig config;
    private volatile boolean healthy;
    private boolean anyCompleted;
    private long checks;
    private long passed;
    private long failed;
    private long timedOut;
    private int consecutiveSuccesses;
    private int consecutiveFailures;
    private long transitions;
    private String lastFailure;

    HealthVerdict(HealthCheckConfig config) {
        this.config = config;
        this.healthy = config.initiallyHealthy();
    }

    boolean healthy() {
        return healthy;
    }

    /** Records a passed check; returns the reason of a transition to healthy, or null. */
    String recordPass() {
        checks++;
        passed++;
        consecutiveFailures = 0;
        consecutiveSuccesses = saturatedIncrement(consecutiveSuccesses);
        boolean first = !anyCompleted;
        anyCompleted = true;
        if (healthy) {
            return null;
        }
        if (first) { // initially unhealthy: the first pass alone decides, as in Envoy
            return transition(true, "first check passed");
        }
        if (consecutiveSuccesses >= config.healthyThreshold()) {
            return transition(true, plural(consecutiveSuccesses) + " passed");
        }
        return null;
    }

    /** Records a failed check; returns the reason of a transition to unhealthy, or null. */
    String recordFailure(Throwable error, boolean byTimeout) {
        checks++;
        failed++;
        if (byTimeout) {
            timedOut++;
        }
        anyCompleted = true;
        consecutiveSuccesses = 0;
        consecutiveFailures = saturatedIncrement(consecutiveFailures);
        lastFailure = reason(error);
        if (healthy && consecutiveFailures >= config.unhealthyThreshold()) {
            return transition(false, plural(consecutiveFailures) + " failed; last: " + lastFailure);
        }
        return null;
    }

    HealthCheckStats stats(Endpoint endpoint, long lastCheckNanos) {
        return new HealthCheckStats(endpoint, healthy, checks, passed, failed, timedOut, consecutiveSuccesses,
                consecutiveFailures, transitions, lastFailure, lastCheckNanos < 0 ? null : Duration.ofNanos(lastCheckNanos));
    }

    private String transition(boolean toHealthy, String reason) {
        healthy = toHealthy;
        transitions++;
        return reason;
    }

    private static int saturatedIncrement(int n) {
        return n == Integer.MAX_VALUE ? n : n + 1;
    }

    private static String plural(int n) {
        return n == 1 ? "1 check" : n + " consecutive checks";
    }

    /** The failure's own message when it has one; checkers' exceptions are often wrapped by stages. */
    static String reason(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e instanceof HealthCheckException && e.getMessage() != null ? e.getMessage() : describe(e);
    }

    static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
