package dev.netkit.core.retry;

/**
 * A {@link RetryBudget}'s counters since it was created and its balance now.
 *
 * @param requests        original requests recorded
 * @param retries         retries allowed (tokens withdrawn)
 * @param rejectedRetries retries refused because the budget was spent
 * @param balance         retries that would be allowed right now, in tokens; can dip below zero
 *                        for a moment when deposits expire before the retries they paid for
 */
public record RetryBudgetStats(long requests, long retries, long rejectedRetries, double balance) {}
