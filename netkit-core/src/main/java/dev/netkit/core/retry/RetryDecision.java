package dev.netkit.core.retry;

/**
 * What {@link RetryPolicy#decide} concluded for a failed attempt: retry, or why not. The reasons
 * are for metrics (count them by {@link #label()}) and for the error the caller finally reports.
 */
public enum RetryDecision {
    /** Send the request again (after {@link RetryPolicy#backoffNanos}); a budget token was spent. */
    RETRY("retry"),
    /** The attempts made already reach {@link RetryPolicy#maxAttempts()}. */
    NO_ATTEMPTS_LEFT("no_attempts_left"),
    /** The failure is not one the policy retries (see {@link RetryPolicy#retryOn()}). */
    NOT_RETRYABLE("not_retryable"),
    /** The request may have reached the peer and the caller did not mark it idempotent. */
    UNSAFE("unsafe"),
    /** The retry budget is spent: retries are already a large share of the traffic. */
    NO_BUDGET("no_budget");

    private final String label;

    RetryDecision(String label) {
        this.label = label;
    }

    /** A stable snake_case label for reports and metrics, e.g. {@code "no_budget"}. */
    public String label() {
        return label;
    }

    /** Whether this says to retry. */
    public boolean retry() {
        return this == RETRY;
    }
}
