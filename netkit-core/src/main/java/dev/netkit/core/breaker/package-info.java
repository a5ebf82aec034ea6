/**
 * A per-endpoint circuit breaker, transport-agnostic: {@link dev.netkit.core.breaker.CircuitBreaker}
 * stops sending to an endpoint whose recent calls fail (or are slow) too often, lets a few trial
 * calls through after a wait, and resumes when they succeed. Time comes from an injected
 * {@link dev.netkit.core.time.Ticker}; there are no timers.
 */
package dev.netkit.core.breaker;
