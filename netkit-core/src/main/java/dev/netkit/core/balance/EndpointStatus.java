package dev.netkit.core.balance;

/** Why an endpoint is, or is not, being picked. */
public enum EndpointStatus {
    /** In service. */
    HEALTHY,
    /** In service, its weight still ramping up after it was added or returned. */
    SLOW_START,
    /** Out of service: its active health check fails. */
    UNHEALTHY,
    /** Out of service for a while: passive outlier detection ejected it. */
    EJECTED,
    /** Out of service: its circuit breaker is open. */
    BREAKER_OPEN,
    /** Out of service by an operator's choice ({@link LoadBalancer#drain}); not picked even in panic. */
    DRAINED
}
