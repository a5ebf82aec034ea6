package dev.netkit.core.balance;

import dev.netkit.core.error.NoEndpointsException;
import java.util.List;

/** How a {@link Picker} chooses. */
public enum Strategy {
    /** Each endpoint in turn, ignoring weights. */
    ROUND_ROBIN,
    /**
     * Smooth weighted round robin (nginx's): exact proportions by weight over every cycle, with
     * an endpoint's turns spread out instead of bunched.
     */
    WEIGHTED_ROUND_ROBIN,
    /**
     * Power of two choices by least outstanding requests: two <em>distinct</em> endpoints drawn
     * at random, the one with fewer requests outstanding wins (ties: the first drawn).
     */
    LEAST_OUTSTANDING;

    /**
     * Builds a picker over {@code endpoints}.
     *
     * @throws NoEndpointsException when the list is empty
     */
    public Picker picker(List<EndpointState> endpoints) {
        if (endpoints.isEmpty()) {
            throw new NoEndpointsException("no endpoints to pick from (all removed, ejected or unhealthy)");
        }
        List<EndpointState> copy = List.copyOf(endpoints);
        return switch (this) {
            case ROUND_ROBIN -> new RoundRobinPicker(copy);
            case WEIGHTED_ROUND_ROBIN -> new SmoothWeightedRoundRobinPicker(copy);
            case LEAST_OUTSTANDING -> new PowerOfTwoPicker(copy);
        };
    }
}
