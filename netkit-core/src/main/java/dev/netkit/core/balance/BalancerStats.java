package dev.netkit.core.balance;

import java.util.List;

/**
 * The balancer's state at one moment.
 *
 * @param endpoints  every member, in the order they were added
 * @param inService  members picks may choose when not in panic
 * @param panic      whether too few are in service and picks ignore health
 * @param ejections  ejections since start
 * @param panics     times panic mode was entered since start
 */
public record BalancerStats(List<EndpointStats> endpoints, int inService, boolean panic, long ejections, long panics) {
    /** Compact copy of the list. */
    public BalancerStats {
        endpoints = List.copyOf(endpoints);
    }
}
