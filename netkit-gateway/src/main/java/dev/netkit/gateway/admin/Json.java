package dev.netkit.gateway.admin;

import java.util.Collection;
import java.util.Map;

/**
 * Writes nested maps, collections, strings, numbers, booleans and nulls as JSON (RFC 8259),
 * indented two spaces so that {@code curl} output reads well. Map keys are written with
 * {@code toString()}; a non-finite double is written as {@code null}; anything else as its string.
 */
final class Json {
    private final StringBuilder out = new StringBuilder(1024);

    private Json() {}

    /** {@code value} as a JSON document ending with a newline. */
    static String write(Object value) {
        Json json = new Json();
        json.value(value, 0);
        return json.out.append('\n').toString();
    }

    private void value(Object v, int depth) {
        switch (v) {
            case null -> out.append("null");
            case Map<?, ?> m -> object(m, depth);
            case Collection<?> c -> array(c, depth);
            case Boolean b -> out.append(b);
            case Double d -> out.append(Double.isFinite(d) ? d.toString() : "null");
            case Float f -> out.append(Float.isFinite(f) ? f.toString() : "null");
            case Number n -> out.append(n);
            default -> string(v.toString());
        }
    }

    private void object(Map<?, ?> m, int depth) {
        if (m.isEmpty()) {
            out.append("{}");
            return;
        }
        out.append('{');
        String sep = "";
        for (Map.Entry<?, ?> e : m.entrySet()) {
            out.append(sep);
            newline(depth + 1);
            string(String.valueOf(e.getKey()));
            out.append(": ");
            value(e.getValue(), depth + 1);
            sep = ",";
        }
        newline(depth);
        out.append('}');
    }

    private void array(Collection<?> c, int depth) {
        if (c.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        String sep = "";
        for (Object v : c) {
            out.append(sep);
            newline(depth + 1);
            value(v, depth + 1);
            sep = ",";
        }
        newline(depth);
        out.append(']');
    }

    private void newline(int depth) {
        out.append('\n').repeat(' ', 2 * depth);
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
