package dev.netkit.netty.internal.client;

import dev.netkit.core.balance.BalancerListener;
import dev.netkit.core.endpoint.Endpoint;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the balancer's events (they are rare and matter to operators: an ejection is a warning).
 */
public final class LoggingBalancerListener implements BalancerListener {
    private static final Logger log = LoggerFactory.getLogger("dev.netkit.broker.balancer");

    public LoggingBalancerListener() {}

    @Override
    public void ejected(Endpoint endpoint, String reason, Duration duration) {
        log.warn("ejected {} for {} ms: {}", endpoint, duration.toMillis(), reason);
    }

    @Override
    public void ejectionSkipped(Endpoint endpoint, String reason) {
        log.warn("kept {} in service: {}", endpoint, reason);
    }

    @Override
    public void returned(Endpoint endpoint, String reason) {
        log.info("{} is back in service: {}", endpoint, reason);
    }

    @Override
    public void healthChanged(Endpoint endpoint, boolean healthy, String reason) {
        if (healthy) {
            log.info("{} is healthy: {}", endpoint, reason);
        } else {
            log.warn("{} is unhealthy: {}", endpoint, reason);
        }
    }

    @Override
    public void breakerChanged(Endpoint endpoint, String from, String to, String reason) {
        log.warn("circuit breaker of {}: {} -> {} ({})", endpoint, from, to, reason);
    }

    @Override
    public void panicChanged(boolean panic, int inService, int total) {
        if (panic) {
            log.warn("only {} of {} endpoints in service: panic mode, picking from all", inService, total);
        } else {
            log.info("{} of {} endpoints in service: panic mode over", inService, total);
        }
    }

    @Override
    public void membershipChanged(Endpoint endpoint, String change) {
        log.info("endpoint {} {}", endpoint, change);
    }
}
