package dev.netkit.core.qos;

import java.util.Objects;

/**
 * One class of service in a {@link QosPolicy}.
 *
 * @param name     how requests name it (e.g. {@code RequestOptions.withQosClass("gold")}); non-blank
 * @param weight   its share of service under contention relative to the other weighted classes,
 *                 at least 1 (a class with weight 0 would never be served); ignored for the
 *                 policy's strict class
 * @param capacity how many items of this class may wait at once, at least 1; one more is refused
 *                 with an error naming the class, its capacity and its depth
 */
public record QosClass(String name, int weight, int capacity) {
    /** Validates the values. */
    public QosClass {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("qos class name: '" + name + "' (expected: non-blank)");
        }
        if (weight < 1) {
            throw new IllegalArgumentException("qos class '" + name + "': weight " + weight
                    + " (expected: >= 1; a class with weight 0 would never be served)");
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("qos class '" + name + "': capacity " + capacity + " (expected: >= 1)");
        }
    }
}
