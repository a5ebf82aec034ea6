package dev.netkit.gateway.config;

import dev.netkit.core.balance.WeightedEndpoint;
import dev.netkit.core.endpoint.Endpoint;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parses the endpoint notation shared by the gateway's {@code endpoints:} and {@code netkit load
 * --target}: {@code host:port}, {@code host:port=WEIGHT}, {@code host:port@ZONE} or
 * {@code host:port=WEIGHT@ZONE}. The weight is a whole number in
 * 1..{@value WeightedEndpoint#MAX_WEIGHT} (default 1); the zone is letters, digits, {@code -},
 * {@code _} and {@code .}.
 */
public final class EndpointSpec {
    /** The accepted forms, for error messages. */
    public static final String FORMS = "host:port, host:port=WEIGHT or host:port=WEIGHT@ZONE";
    private static final Pattern ZONE = Pattern.compile("[A-Za-z0-9._-]+");

    private EndpointSpec() {}

    /**
     * Parses one endpoint.
     *
     * @throws IllegalArgumentException saying what is wrong (without repeating the text or the forms,
     *                                  which the caller adds in its own words)
     */
    public static WeightedEndpoint parse(String text) {
        String s = text.strip();
        String zone = "";
        int at = s.lastIndexOf('@');
        if (at >= 0) {
            zone = s.substring(at + 1);
            s = s.substring(0, at);
            if (!ZONE.matcher(zone).matches()) {
                throw new IllegalArgumentException("zone '" + zone + "' must be letters, digits, '-', '_' or '.'");
            }
        }
        int weight = 1;
        int eq = s.indexOf('=');
        if (eq >= 0) {
            weight = weight(s.substring(eq + 1));
            s = s.substring(0, eq);
        }
        return new WeightedEndpoint(Endpoint.parse(s), weight, zone, Map.of());
    }

    /** {@code host:port[=WEIGHT][@ZONE]}, the weight only when it is not 1: parses back to an equal endpoint. */
    public static String format(WeightedEndpoint e) {
        return e.address() + (e.weight() == 1 ? "" : "=" + e.weight()) + (e.zone().isEmpty() ? "" : "@" + e.zone());
    }

    private static int weight(String value) {
        int weight;
        try {
            weight = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("weight '" + value + "' is not a whole number", e);
        }
        if (weight < 1 || weight > WeightedEndpoint.MAX_WEIGHT) {
            throw new IllegalArgumentException("weight " + weight + " is out of range 1.." + WeightedEndpoint.MAX_WEIGHT);
        }
        return weight;
    }
}
