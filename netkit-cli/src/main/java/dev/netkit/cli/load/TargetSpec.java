package dev.netkit.cli.load;

import dev.netkit.core.balance.WeightedEndpoint;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.gateway.config.EndpointSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses {@code --target} values: {@code host:port}, {@code host:port=WEIGHT},
 * {@code host:port@ZONE} or {@code host:port=WEIGHT@ZONE}. The weight is a whole number in
 * 1..{@value WeightedEndpoint#MAX_WEIGHT} (default 1); the zone is letters, digits, {@code -},
 * {@code _} and {@code .}. The notation is the gateway's too ({@code endpoints:}): both parse it
 * with {@link EndpointSpec}.
 */
public final class TargetSpec {
    /** The accepted forms, for error messages. */
    public static final String FORMS = EndpointSpec.FORMS;

    private TargetSpec() {}

    /**
     * Parses one target.
     *
     * @throws IllegalArgumentException naming the text and what is wrong with it
     */
    public static WeightedEndpoint parse(String text) {
        try {
            return EndpointSpec.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(invalid(text, e.getMessage()), e);
        }
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

    private static String invalid(String text, String why) {
        return "target '" + text + "': " + why + " (forms: " + FORMS + ")";
    }
}
