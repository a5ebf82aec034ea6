package dev.netkit.core.qos;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Classes of service and how a {@link FairQueue} serves them under contention: the strict class
 * (if any) first, but after {@code starvationBound} strict items in a row while others wait, one
 * item of the others; the others by deficit round robin in proportion to their weights.
 * Immutable.
 *
 * @param classes         the classes, at least one; names unique
 * @param defaultClass    the class of items that name none
 * @param strictClass     the class served before the others, or null for none
 * @param starvationBound strict items served in a row, at most, while other classes wait, at least 1
 */
public record QosPolicy(List<QosClass> classes, String defaultClass, String strictClass, int starvationBound) {
    /** Validates names and the bound. */
    public QosPolicy {
        classes = List.copyOf(classes);
        if (classes.isEmpty()) {
            throw new IllegalArgumentException("qos classes: none (expected: at least one)");
        }
        Map<String, Integer> seen = new HashMap<>();
        for (QosClass c : classes) {
            if (seen.put(c.name(), seen.size()) != null) {
                throw new IllegalArgumentException("qos class '" + c.name() + "': defined twice");
            }
        }
        Objects.requireNonNull(defaultClass, "defaultClass");
        if (!seen.containsKey(defaultClass)) {
            throw unknown("defaultClass", defaultClass, seen);
        }
        if (strictClass != null && !seen.containsKey(strictClass)) {
            throw unknown("strictClass", strictClass, seen);
        }
        if (starvationBound < 1) {
            throw new IllegalArgumentException("starvationBound: " + starvationBound + " (expected: >= 1)");
        }
    }

    /** One class, FIFO: what every queue is without a policy. */
    public static QosPolicy single(int capacity) {
        return new QosPolicy(List.of(new QosClass("default", 1, capacity)), "default", null, 1);
    }

    /**
     * The index of the class named {@code name} (null: the default class).
     *
     * @throws IllegalArgumentException naming the known classes when there is no such class
     */
    public int indexOf(String name) {
        String wanted = name == null ? defaultClass : name;
        for (int i = 0; i < classes.size(); i++) {
            if (classes.get(i).name().equals(wanted)) {
                return i;
            }
        }
        throw new IllegalArgumentException("qos class '" + name + "': unknown (expected one of "
                + classes.stream().map(QosClass::name).toList() + ")");
    }

    private static IllegalArgumentException unknown(String field, String name, Map<String, Integer> known) {
        return new IllegalArgumentException(field + ": '" + name + "' is not a qos class (expected one of " + known.keySet() + ")");
    }
}
