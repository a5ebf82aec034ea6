package dev.netkit.core.balance;

import dev.netkit.core.error.NoEndpointsException;
import java.util.List;
import java.util.Objects;

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
     * at random, the one with fewer requests outstanding per unit of weight wins, comparing
     * (outstanding + 1) / weight (with equal weights: plain outstanding counts); ties go to the
     * first drawn.
     */
    LEAST_OUTSTANDING,
    /**
     * Power of two choices by {@link EndpointState#latencyCost() latency cost} (Finagle's peak
     * EWMA × (outstanding + 1)): two distinct endpoints, the cheaper wins; ties go to the first
     * drawn.
     */
    LEAST_LATENCY,
    /** Random, each endpoint in proportion to its weight. */
    WEIGHTED_RANDOM,
    /**
     * Consistent hashing on a ring (Envoy's ring hash): {@link Picker#pick(long)} sends a key to
     * the first endpoint point at or after it. Adding or removing an endpoint moves only the keys
     * it gains or loses (about 1/n of them). Tuned by {@link PickerOptions#ringMinSize()} and
     * {@link PickerOptions#ringMaxSize()}. {@link Picker#pick()} uses a random key.
     */
    RING_HASH,
    /**
     * Maglev consistent hashing: a lookup table of {@link PickerOptions#maglevTableSize()}
     * slots, shared in proportion to weight; {@link Picker#pick(long)} is one array read. Better
     * balance and faster picks than {@link #RING_HASH}, slightly more keys moved on a membership
     * change. {@link Picker#pick()} uses a random key.
     */
    MAGLEV;

    /**
     * Builds a picker over {@code endpoints} with {@link PickerOptions#defaults() default options}.
     *
     * @throws NoEndpointsException when the list is empty
     */
    public Picker picker(List<EndpointState> endpoints) {
        return picker(endpoints, PickerOptions.defaults());
    }

    /**
     * Builds a picker over {@code endpoints}, reading their effective weights now.
     *
     * @param options tuning for the hashing strategies (ignored by the others)
     * @throws NoEndpointsException     when the list is empty
     * @throws IllegalArgumentException when a hashing strategy gets more endpoints than its
     *                                  ring or table can hold
     */
    public Picker picker(List<EndpointState> endpoints, PickerOptions options) {
        Objects.requireNonNull(options, "options");
        if (endpoints.isEmpty()) {
            throw new NoEndpointsException("no endpoints to pick from (all removed, ejected or unhealthy)");
        }
        List<EndpointState> copy = List.copyOf(endpoints);
        return switch (this) {
            case ROUND_ROBIN -> new RoundRobinPicker(copy);
            case WEIGHTED_ROUND_ROBIN -> new SmoothWeightedRoundRobinPicker(copy);
            case LEAST_OUTSTANDING -> new PowerOfTwoPicker(copy);
            case LEAST_LATENCY -> new LeastLatencyPicker(copy);
            case WEIGHTED_RANDOM -> new WeightedRandomPicker(copy);
            case RING_HASH -> new RingHashPicker(copy, options);
            case MAGLEV -> new MaglevPicker(copy, options);
        };
    }
}
