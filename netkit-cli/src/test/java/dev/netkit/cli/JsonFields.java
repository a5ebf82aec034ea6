package dev.netkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Typed, asserting access to fields of a report parsed by {@link MiniJson}. */
final class JsonFields {
    private JsonFields() {}

    /** The number at {@code key} (JSON numbers parse as doubles); fails the test if absent or not a number. */
    static double number(Map<String, Object> json, String key) {
        assertThat(json).containsKey(key);
        assertThat(json.get(key)).as(key).isInstanceOf(Double.class);
        return (Double) json.get(key);
    }

    /** The object at {@code key}. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> json, String key) {
        assertThat(json.get(key)).as(key).isInstanceOf(Map.class);
        return (Map<String, Object>) json.get(key);
    }

    /** A mutable copy of the array of objects at {@code key}. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> json, String key) {
        assertThat(json.get(key)).as(key).isInstanceOf(List.class);
        return new ArrayList<>((List<Map<String, Object>>) json.get(key));
    }
}
