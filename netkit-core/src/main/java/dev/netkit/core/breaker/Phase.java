package dev.netkit.core.breaker;

/**
 * What a {@link CircuitBreaker} is doing now, with the state that belongs to it. A transition
 * replaces the whole object by compare-and-set, so exactly one thread wins each transition and
 * counts that arrive late land in the old object, which nobody reads any more.
 */
sealed interface Phase permits ClosedPhase, OpenPhase, HalfOpenPhase {
    /** How many transitions led here: 0 for the initial CLOSED phase. */
    long sequence();

    /** The state this phase is. */
    BreakerState state();
}
