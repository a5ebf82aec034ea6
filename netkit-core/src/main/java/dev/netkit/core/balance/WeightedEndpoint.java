package dev.netkit.core.balance;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.internal.Checks;
import java.util.Map;
import java.util.Objects;

/**
 * An endpoint as the balancer sees it.
 *
 * @param address  where it is
 * @param weight   its share of traffic relative to the others, 1..{@link #MAX_WEIGHT}
 * @param zone     its locality (for zone-aware balancing), or {@code ""}
 * @param metadata free-form labels
 */
public record WeightedEndpoint(Endpoint address, int weight, String zone, Map<String, String> metadata) {
    /** The largest weight. */
    public static final int MAX_WEIGHT = 10_000;

    /** Validates every field. */
    public WeightedEndpoint {
        Objects.requireNonNull(address, "address");
        Checks.inRange("weight", weight, 1, MAX_WEIGHT);
        Objects.requireNonNull(zone, "zone");
        metadata = Map.copyOf(metadata);
    }

    /** Weight 1, no zone, no metadata. */
    public static WeightedEndpoint of(Endpoint address) {
        return new WeightedEndpoint(address, 1, "", Map.of());
    }

    /** The given weight, no zone, no metadata. */
    public static WeightedEndpoint of(Endpoint address, int weight) {
        return new WeightedEndpoint(address, weight, "", Map.of());
    }
}
