package dev.netkit.core.health;

import dev.netkit.core.endpoint.Endpoint;
import java.time.Duration;

/**
 * A snapshot of one {@link HealthCheckRunner}, taken under its lock: the fields are consistent
 * with each other.
 *
 * @param endpoint             the endpoint checked
 * @param healthy              its current state
 * @param checks               checks completed (passed or failed, timeouts included)
 * @param passed               checks that passed
 * @param failed               checks that failed, timeouts included
 * @param timedOut             checks the runner failed because they outlived the timeout
 * @param consecutiveSuccesses passed checks since the last failed one
 * @param consecutiveFailures  failed checks since the last passed one
 * @param transitions          health changes since the start
 * @param lastFailure          the reason of the latest failed check, or {@code null} if none failed
 * @param lastCheckDuration    how long the latest completed check took, or {@code null} before
 *                             the first
 */
public record HealthCheckStats(
        Endpoint endpoint,
        boolean healthy,
        long checks,
        long passed,
        long failed,
        long timedOut,
        int consecutiveSuccesses,
        int consecutiveFailures,
        long transitions,
        String lastFailure,
        Duration lastCheckDuration) {

    @Override
    public String toString() {
        return "health " + endpoint + ": " + (healthy ? "healthy" : "unhealthy") + " checks=" + checks + " passed=" + passed
                + " failed=" + failed + " timed_out=" + timedOut + " consecutive_successes=" + consecutiveSuccesses
                + " consecutive_failures=" + consecutiveFailures + " transitions=" + transitions
                + (lastFailure == null ? "" : " last_failure=\"" + lastFailure + "\"");
    }
}
