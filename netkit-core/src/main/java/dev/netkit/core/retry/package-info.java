/**
 * Retries, transport-agnostic: {@link dev.netkit.core.retry.RetryPolicy} (how many attempts,
 * which failures, which requests are safe to send again, full-jitter backoff) and
 * {@link dev.netkit.core.retry.RetryBudget} (Finagle's cap on retries as a share of requests, so
 * that a brown-out does not turn into a retry storm).
 */
package dev.netkit.core.retry;
