package dev.netkit.core.breaker;

/**
 * A breaker's state and figures at one instant, for metrics and a control plane.
 *
 * <p>The figures depend on the state: CLOSED reports the window (rates are -1 until it holds
 * {@code minimumCalls} calls, as no verdict is made before); OPEN reports the outcomes that opened
 * it (the window, or the trial calls); HALF_OPEN reports the trial outcomes so far (-1 before the
 * first). A disabled breaker reports CLOSED with empty figures.
 *
 * @param name         the breaker's name (its endpoint)
 * @param state        the state, after moving an OPEN breaker whose wait is over to HALF_OPEN
 * @param failureRate  failed calls over calls in [0, 1], or -1 (see above)
 * @param slowCallRate slow calls over calls in [0, 1], or -1 (see above)
 * @param calls        calls counted in those rates
 * @param failedCalls  of which failed
 * @param slowCalls    of which slow
 * @param notPermitted calls refused since the breaker was created
 * @param transitions  state changes since the breaker was created
 */
public record BreakerSnapshot(
        String name,
        BreakerState state,
        double failureRate,
        double slowCallRate,
        long calls,
        long failedCalls,
        long slowCalls,
        long notPermitted,
        long transitions) {}
