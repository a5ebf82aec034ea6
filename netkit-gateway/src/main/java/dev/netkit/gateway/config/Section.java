package dev.netkit.gateway.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/*
 * One YAML mapping of the file, read through its node tree so that every error carries the
 * file, line and column of the node at fault (a key's own position for an unknown key, the
 * value's for a bad value, the mapping's for a missing key or a combination the library
 * refuses) and the key path. Keys are checked when the section is opened: an unknown key is
 * reported before anything inside the section is read, with the nearest known key suggested.
 */
/** A mapping of the file being read, with typed getters that fail with a located {@link ConfigException}. */
final class Section {
    private static final Pattern CAMEL = Pattern.compile("\\b[a-z]+(?:[A-Z][a-z0-9]*)+\\b");
    private static final Pattern ISO_DURATION = Pattern.compile("\\bPT[0-9.HMS]+\\b");

    private final String file;
    private final String path;
    private final Node node;
    private final Map<String, NodeTuple> entries;

    private Section(String file, String path, Node node, Map<String, NodeTuple> entries) {
        this.file = file;
        this.path = path;
        this.node = node;
        this.entries = entries;
    }

    /**
     * Opens {@code node} as a mapping whose keys must be among {@code known}; a null node (an
     * empty value) is an empty mapping.
     */
    static Section open(String file, String path, Node node, List<String> known) {
        if (isNull(node)) {
            return new Section(file, path, node, Map.of());
        }
        if (!(node instanceof MappingNode mapping)) {
            throw error(file, node, path, "expected a mapping (key: value lines), got " + describe(node));
        }
        Map<String, NodeTuple> entries = new LinkedHashMap<>();
        for (NodeTuple t : mapping.getValue()) {
            Node keyNode = t.getKeyNode();
            if (!(keyNode instanceof ScalarNode key) || isNull(keyNode)) {
                throw error(file, keyNode, path, "expected a key name, got " + describe(keyNode));
            }
            String name = key.getValue();
            String keyPath = child(path, name);
            if (!known.contains(name)) {
                throw error(file, keyNode, keyPath, "unknown key" + Suggestions.nearest(name, known)
                        .map(s -> "; did you mean \"" + s + "\"?")
                        .orElse("; known keys: " + String.join(", ", known)));
            }
            NodeTuple previous = entries.putIfAbsent(name, t);
            if (previous != null) {
                throw error(file, keyNode, keyPath, "duplicate key (first at line " + line(previous.getKeyNode()) + ")");
            }
        }
        return new Section(file, path, node, entries);
    }

    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    String file() {
        return file;
    }

    String path() {
        return path;
    }

    Node node() {
        return node;
    }

    boolean has(String key) {
        return entries.containsKey(key);
    }

    /** The keys present, in file order. */
    List<String> keys() {
        return List.copyOf(entries.keySet());
    }

    /** The value node of {@code key}, or null when absent. */
    Node value(String key) {
        NodeTuple t = entries.get(key);
        return t == null ? null : t.getValueNode();
    }

    /** The key node of {@code key}, which must be present. */
    Node keyNode(String key) {
        return entries.get(key).getKeyNode();
    }

    // ---- errors

    /** An error at {@code key}'s value (or at this mapping when the key is absent). */
    ConfigException error(String key, String problem) {
        Node at = value(key);
        return error(file, at == null ? node : at, child(path, key), problem);
    }

    /** An error at {@code key}'s name. */
    ConfigException errorAtKey(String key, String problem) {
        return error(file, keyNode(key), child(path, key), problem);
    }

    /** An error about this mapping as a whole. */
    ConfigException error(String problem) {
        return error(file, node, path, problem);
    }

    static ConfigException error(String file, Node at, String path, String problem) {
        Optional<Mark> mark = at == null ? Optional.empty() : at.getStartMark();
        return new ConfigException(file, mark.map(m -> m.getLine() + 1).orElse(0), mark.map(m -> m.getColumn() + 1).orElse(0),
                path, problem);
    }

    /**
     * Runs a library constructor, turning its validation failure into an error about this
     * mapping, in the file's words (snake_case names, durations as {@code 30s}).
     */
    <T> T build(Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            throw error(inFileWords(e.getMessage()));
        }
    }

    static String inFileWords(String message) {
        Matcher iso = ISO_DURATION.matcher(message);
        StringBuilder sb = new StringBuilder();
        while (iso.find()) {
            iso.appendReplacement(sb, Matcher.quoteReplacement(Durations.format(Duration.parse(iso.group()))));
        }
        iso.appendTail(sb);
        Matcher camel = CAMEL.matcher(sb.toString());
        return camel.replaceAll(m -> m.group().replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT));
    }

    // ---- sections and lists

    /** The sub-mapping {@code key} (empty when absent or null), its keys among {@code known}. */
    Section section(String key, List<String> known) {
        Node v = value(key);
        return v == null ? new Section(file, child(path, key), node, Map.of()) : open(file, child(path, key), v, known);
    }

    /** The sequence {@code key}; absent = empty. */
    List<Node> list(String key) {
        Node v = value(key);
        if (v == null || isNull(v)) {
            return List.of();
        }
        if (!(v instanceof SequenceNode seq)) {
            throw error(key, "expected a list, got " + describe(v));
        }
        return Collections.unmodifiableList(new ArrayList<>(seq.getValue()));
    }

    // ---- scalars

    /** The text of {@code key}, any scalar but null; {@code def} when absent. */
    String string(String key, String def) {
        Node v = value(key);
        return v == null ? def : text(key, v, "a string");
    }

    /** The text of {@code key}, which must be present. */
    String requiredString(String key, String what) {
        if (!has(key)) {
            throw error("missing key \"" + key + "\" (" + what + ")");
        }
        return string(key, null);
    }

    private String text(String key, Node v, String expected) {
        if (!(v instanceof ScalarNode s) || isNull(v)) {
            throw error(key, "expected " + expected + ", got " + describe(v));
        }
        return s.getValue();
    }

    /** A whole number in {@code min..max}. */
    int integer(String key, int def, int min, int max) {
        return (int) longInteger(key, def, min, max);
    }

    /** A whole number in {@code min..max}, up to 64 bits (rates: a value beyond a long is "too large"). */
    long longInteger(String key, long def, long min, long max) {
        Node v = value(key);
        if (v == null) {
            return def;
        }
        if (!(v instanceof ScalarNode s) || !Tag.INT.equals(v.getTag())) {
            throw error(key, "expected an integer, got " + describe(v));
        }
        long value = parseLong(key, s.getValue());
        if (value < min || value > max) {
            throw error(key, value + " is out of range; allowed: " + min + ".." + max);
        }
        return value;
    }

    private long parseLong(String key, String text) {
        String t = text.startsWith("+") ? text.substring(1) : text;
        try {
            if (t.startsWith("0x")) {
                return Long.parseLong(t.substring(2), 16);
            }
            if (t.startsWith("0o")) {
                return Long.parseLong(t.substring(2), 8);
            }
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw error(key, text + " is out of range (too large)");
        }
    }

    /** A number in {@code min..max} (integers accepted). */
    double number(String key, double def, double min, double max) {
        Node v = value(key);
        if (v == null) {
            return def;
        }
        if (!(v instanceof ScalarNode s) || !(Tag.INT.equals(v.getTag()) || Tag.FLOAT.equals(v.getTag()))) {
            throw error(key, "expected a number, got " + describe(v));
        }
        double value;
        try {
            value = Tag.INT.equals(v.getTag()) ? parseLong(key, s.getValue()) : Double.parseDouble(s.getValue());
        } catch (NumberFormatException e) {
            value = Double.NaN; // .inf, .nan
        }
        if (!(value >= min && value <= max)) {
            throw error(key, s.getValue() + " is out of range; allowed: " + plain(min) + ".." + plain(max));
        }
        return value;
    }

    private static String plain(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    /** {@code true} or {@code false} (YAML 1.2: {@code yes}, {@code no}, {@code on}, {@code off} are strings). */
    boolean bool(String key, boolean def) {
        Node v = value(key);
        if (v == null) {
            return def;
        }
        if (!Tag.BOOL.equals(v.getTag())) {
            throw error(key, "expected true or false, got " + describe(v));
        }
        return Boolean.parseBoolean(((ScalarNode) v).getValue().toLowerCase(java.util.Locale.ROOT));
    }

    /** A duration of at least {@code min} ({@link Durations}). */
    Duration duration(String key, Duration def, Duration min) {
        Node v = value(key);
        if (v == null) {
            return def;
        }
        if (!(v instanceof ScalarNode s) || !Tag.STR.equals(v.getTag())) {
            throw error(key, "expected a duration (" + Durations.FORMS + "), got " + describe(v)
                    + (Tag.INT.equals(v.getTag()) || Tag.FLOAT.equals(v.getTag()) ? " without a unit" : ""));
        }
        Duration d;
        try {
            d = Durations.parse(s.getValue());
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
        if (d.compareTo(min) < 0) {
            throw error(key, s.getValue() + " is out of range; allowed: " + (min.isZero() ? "0s or more" : "at least " + Durations.format(min)));
        }
        return d;
    }

    /** One of {@code allowed}, by the name {@code nameOf} gives it. */
    <T> T choice(String key, T def, List<T> allowed, Function<T, String> nameOf) {
        Node v = value(key);
        return v == null ? def : choice(key, v, allowed, nameOf);
    }

    /** The value node {@code v} (of {@code key}) as one of {@code allowed}. */
    <T> T choice(String key, Node v, List<T> allowed, Function<T, String> nameOf) {
        String name = text(key, v, "one of " + names(allowed, nameOf));
        for (T t : allowed) {
            if (nameOf.apply(t).equals(name)) {
                return t;
            }
        }
        throw error(file, v, child(path, key), "unknown value \"" + name + "\"; allowed: " + names(allowed, nameOf));
    }

    /** One of the enum's configuration names. */
    <E extends Named> E named(String key, E def, List<E> allowed) {
        return choice(key, def, allowed, Named::configName);
    }

    private static <T> String names(List<T> allowed, Function<T, String> nameOf) {
        return allowed.stream().map(nameOf).collect(Collectors.joining(", "));
    }

    /** Bytes given as {@code textKey: "..."} or {@code hexKey: "..."} (at most one of them); empty when neither. */
    Payload payload(String textKey, String hexKey) {
        if (has(textKey) && has(hexKey)) {
            throw errorAtKey(hexKey, "give either " + textKey + " or " + hexKey + ", not both");
        }
        if (has(hexKey)) {
            try {
                return Payload.ofHex(string(hexKey, ""));
            } catch (IllegalArgumentException e) {
                throw error(hexKey, e.getMessage());
            }
        }
        return has(textKey) ? Payload.ofText(string(textKey, "")) : Payload.EMPTY;
    }

    // ---- node helpers

    static boolean isNull(Node n) {
        return n instanceof ScalarNode && Tag.NULL.equals(n.getTag());
    }

    static int line(Node n) {
        return n.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    /** How a node reads in an error: {@code a list}, {@code a string "x"}, {@code an integer 5}. */
    static String describe(Node n) {
        if (n instanceof MappingNode) {
            return "a mapping";
        }
        if (n instanceof SequenceNode) {
            return "a list";
        }
        ScalarNode s = (ScalarNode) n;
        Tag tag = s.getTag();
        if (Tag.NULL.equals(tag)) {
            return "nothing (an empty value)";
        }
        String kind = Tag.INT.equals(tag) ? "an integer" : Tag.FLOAT.equals(tag) ? "a number"
                : Tag.BOOL.equals(tag) ? "a boolean" : "a string";
        String value = s.getValue();
        // A whole block of text must not become the message: the start says which value it is.
        return kind + " \"" + (value.length() > 80 ? value.substring(0, 77) + "..." : value) + "\"";
    }
}
