package dev.netkit.cli.load;

import dev.netkit.core.balance.WeightedEndpoint;
import dev.netkit.core.endpoint.Endpoint;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses {@code --target} values: {@code host:port}, {@code host:port=WEIGHT},
 * {@code host:port@ZONE} or {@code host:port=WEIGHT@ZONE}. The weight is a whole number in
 * 1..{@value WeightedEndpoint#MAX_WEIGHT} (default 1); the zone is letters, digits, {@code -},
 * {@code _} and {@code .}.
 */
public final class TargetSpec {
    /** The accepted forms, for error messages. */
    public static final String FORMS = "host:port, host:port=WEIGHT or host:port=WEIGHT@ZONE";
    private static final Pattern ZONE = Pattern.compile("[A-Za-z0-9._-]+");

    private TargetSpec() {}

    /**
     * Parses one target.
     *
     * @throws IllegalArgumentException naming the text and what is wrong with it
     */
    public static WeightedEndpoint parse(String text) {
        String s = text.strip();
        String zone = "";
        int at = s.lastIndexOf('@');
        if (at >= 0) {
            zone = s.substring(at + 1);
            s = s.substring(0, at);
            if (!ZONE.matcher(zone).matches()) {
                throw new IllegalArgumentException(invalid(text, "zone '" + zone + "' must be letters, digits, '-', '_' or '.'"));
            }
        }
        int weight = 1;
        int eq = s.indexOf('=');
        if (eq >= 0) {
            weight = weight(text, s.substring(eq + 1));
            s = s.substring(0, eq);
        }
        Endpoint address;
        try {
            address = Endpoint.parse(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(invalid(text, e.getMessage()), e);
        }
        return new WeightedEndpoint(address, weight, zone, Map.of());
    }

    /**
     * Parses every target and checks none is listed twice.
     *
     * @throws IllegalArgumentException for the first bad or repeated target
     */
    public static List<WeightedEndpoint> parseAll(List<String> texts) {
        List<WeightedEndpoint> targets = texts.stream().filter(t -> !t.isBlank()).map(TargetSpec::parse).toList();
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("--target: no target given (expected " + FORMS + ", comma-separated)");
        }
        Set<Endpoint> seen = new HashSet<>();
        for (WeightedEndpoint t : targets) {
            if (!seen.add(t.address())) {
                throw new IllegalArgumentException("--target: " + t.address() + " is listed twice (each target once)");
            }
        }
        return targets;
    }

    private static int weight(String text, String value) {
        int weight;
        try {
            weight = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(invalid(text, "weight '" + value + "' is not a whole number"), e);
        }
        if (weight < 1 || weight > WeightedEndpoint.MAX_WEIGHT) {
            throw new IllegalArgumentException(invalid(text, "weight " + weight + " is out of range 1.." + WeightedEndpoint.MAX_WEIGHT));
        }
        return weight;
    }

    private static String invalid(String text, String why) {
        return "target '" + text + "': " + why + " (forms: " + FORMS + ")";
    }
}
