package dev.netkit.core.balance;

import dev.netkit.core.breaker.CircuitBreaker;
import dev.netkit.core.health.HealthCheckRunner;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One endpoint as the {@link LoadBalancer}'s control plane tracks it. The counters are written by
 * request threads without a lock; every other field is guarded by the balancer's lock (and is
 * volatile where stats read it without the lock).
 */
final class Member {
    final EndpointState state;
    /** The active health check, or null when none is configured; set before publication. */
    HealthCheckRunner health;
    /** The circuit breaker, or null when breakers are disabled; set before publication. */
    CircuitBreaker breaker;
    volatile String breakerState = "none";

    // Written by request threads.
    final AtomicInteger consecutiveFailures = new AtomicInteger();
    // Guarded by the balancer's lock: the endpoint's outcome counts when the failure-rate window
    // last began (derived from EndpointState's counters: no extra counting per request).
    long windowStartSuccesses;
    long windowStartFailures;

    // Guarded by the balancer's lock.
    volatile boolean removed;
    volatile boolean ejected;
    volatile boolean activeHealthy = true;
    volatile boolean breakerOpen;
    /** Taken out of service by an operator (maintenance): not picked even in panic. */
    volatile boolean drained;
    int ejectionMultiplier;
    long returnedAt;
    volatile long ejections;
    long slowStartSince = Long.MIN_VALUE;
    volatile boolean inSlowStart;
    volatile String lastReason = "";

    Member(EndpointState state) {
        this.state = state;
    }

    boolean inService() {
        return !ejected && activeHealthy && !breakerOpen && !drained;
    }

    EndpointStatus status() {
        if (drained) {
            return EndpointStatus.DRAINED;
        }
        if (!activeHealthy) {
            return EndpointStatus.UNHEALTHY;
        }
        if (ejected) {
            return EndpointStatus.EJECTED;
        }
        if (breakerOpen) {
            return EndpointStatus.BREAKER_OPEN;
        }
        return inSlowStart ? EndpointStatus.SLOW_START : EndpointStatus.HEALTHY;
    }
}
