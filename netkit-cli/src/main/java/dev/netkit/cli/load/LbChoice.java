package dev.netkit.cli.load;

import dev.netkit.core.balance.Strategy;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The balancing strategies {@code netkit load --lb} accepts, by their command-line names. Adding
 * a strategy to the CLI is one constant here; a strategy that hashes a per-request key (sticky
 * sessions) says so with {@code keyed}, and the load generator then gives each request a key.
 */
public enum LbChoice {
    /** Each endpoint in turn. */
    ROUND_ROBIN("round-robin", Strategy.ROUND_ROBIN, false),
    /** Smooth weighted round robin: traffic in proportion to the {@code =WEIGHT} of each target. */
    WEIGHTED("weighted", Strategy.WEIGHTED_ROUND_ROBIN, false),
    /** Power of two choices by fewest requests outstanding. */
    LEAST_OUTSTANDING("least-outstanding", Strategy.LEAST_OUTSTANDING, false),
    /** Power of two choices by peak-EWMA latency times requests outstanding (Finagle's). */
    LEAST_LATENCY("least-latency", Strategy.LEAST_LATENCY, false),
    /** Random, in proportion to the weights. */
    RANDOM("random", Strategy.WEIGHTED_RANDOM, false),
    /** Maglev consistent hashing of a per-request key (sticky sessions). */
    HASH("hash", Strategy.MAGLEV, true),
    /** Ring (ketama-style) consistent hashing of a per-request key. */
    RING_HASH("ring-hash", Strategy.RING_HASH, true);

    private final String cliName;
    private final Strategy strategy;
    private final boolean keyed;

    LbChoice(String cliName, Strategy strategy, boolean keyed) {
        this.cliName = cliName;
        this.strategy = strategy;
        this.keyed = keyed;
    }

    /** The name on the command line and in reports, e.g. {@code least-outstanding}. */
    public String cliName() {
        return cliName;
    }

    /** The balancer strategy it selects. */
    public Strategy strategy() {
        return strategy;
    }

    /** Whether each request carries a hashing key (consistent-hash strategies). */
    public boolean keyed() {
        return keyed;
    }

    /** Every accepted name, comma-separated, for help and error messages. */
    public static String names() {
        return Arrays.stream(values()).map(LbChoice::cliName).collect(Collectors.joining(", "));
    }

    /**
     * The choice named {@code name} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the value and every accepted name
     */
    public static LbChoice parse(String name) {
        String wanted = name.strip().toLowerCase(Locale.ROOT);
        for (LbChoice choice : values()) {
            if (choice.cliName.equals(wanted)) {
                return choice;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a balancing strategy (expected one of: " + names() + ")");
    }

    @Override
    public String toString() {
        return cliName;
    }

    /** Picocli converter from the command-line name. */
    public static final class Converter implements ITypeConverter<LbChoice> {
        @Override
        public LbChoice convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** Picocli completion candidates: the command-line names. */
    public static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(values()).map(LbChoice::cliName).iterator();
        }
    }
}
