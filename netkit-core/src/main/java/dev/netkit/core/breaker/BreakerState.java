package dev.netkit.core.breaker;

/** The state of a {@link CircuitBreaker}. */
public enum BreakerState {
    /** Calls flow; their outcomes are recorded in the window. */
    CLOSED,
    /** Calls are refused until the wait in open has elapsed. */
    OPEN,
    /** A limited number of trial calls are let through; their outcomes decide CLOSED or OPEN. */
    HALF_OPEN
}
