package dev.netkit.core.breaker;

/**
 * One change of state of a {@link CircuitBreaker}, as told to its {@link BreakerListener}.
 *
 * @param breaker  the breaker's name (its endpoint)
 * @param sequence the transition's number, from 1, in the order the transitions happened
 * @param from     the state left
 * @param to       the state entered
 * @param reason   why, with the figures that decided it, e.g.
 *                 {@code "failure rate 55.0% >= 50.0% over the last 20 calls (slow calls 0.0%, threshold 100.0%)"}
 */
public record BreakerTransition(String breaker, long sequence, BreakerState from, BreakerState to, String reason) {}
