package dev.netkit.core.breaker;

/**
 * Told of every state change of a {@link CircuitBreaker}, exactly once each and in the order they
 * happened, for metrics, logs and a control plane (which may, for example, take an OPEN endpoint
 * out of a load balancer's picker).
 *
 * <p>Called outside the breaker's locks, on the thread whose call caused the transition (or, when
 * two transitions race, on the thread of the other one), one call at a time. It must be fast and
 * must not block. What it throws is logged and ignored: the breaker carries on.
 *
 * <p>An OPEN breaker has no timer: it becomes HALF_OPEN when it is next asked, by
 * {@link CircuitBreaker#tryAcquirePermission()}, {@link CircuitBreaker#state()} or
 * {@link CircuitBreaker#snapshot()}, after {@link BreakerConfig#waitInOpen()}. A control plane that
 * stops sending to OPEN endpoints must therefore ask (call {@code state()}) once the wait is over,
 * or it will never hear of HALF_OPEN.
 */
@FunctionalInterface
public interface BreakerListener {
    /** A listener that does nothing. */
    BreakerListener NONE = t -> {};

    /** The breaker changed state. */
    void stateChanged(BreakerTransition transition);
}
