package dev.netkit.gateway.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as the gateway file (and the command line) writes them: a number and a unit, no space:
 * {@code 10us}, {@code 250ms}, {@code 2s}, {@code 1.5m}, {@code 1h}; also {@code ns}. A bare number
 * is refused, so a unit is never guessed.
 */
public final class Durations {
    /** The accepted forms, for error messages. */
    public static final String FORMS = "a number and a unit: 10us, 250ms, 2s, 1.5m, 1h";

    private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|ms|s|m|h)");
    private static final String[] UNITS = {"h", "m", "s", "ms", "us", "ns"};
    private static final long[] NANOS = {3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L, 1L};

    private Durations() {}

    /**
     * Parses one duration (rounded to the nanosecond).
     *
     * @throws IllegalArgumentException when it is not a number and a unit, or too long
     */
    public static Duration parse(String text) {
        Matcher m = FORMAT.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration (expected " + FORMS + ")");
        }
        BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(NANOS[unit(m.group(2))]));
        try {
            return Duration.ofNanos(nanos.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("\"" + text + "\" is too long (at most about 292 years)");
        }
    }

    /** The exact shortest form in the largest unit that divides it: {@code 2s}, {@code 1500ms}, {@code 0s}. */
    public static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        for (int i = 0; i < UNITS.length; i++) {
            if (nanos % NANOS[i] == 0) {
                return (nanos / NANOS[i]) + UNITS[i];
            }
        }
        throw new AssertionError("ns divides every duration");
    }

    private static int unit(String unit) {
        for (int i = 0; i < UNITS.length; i++) {
            if (UNITS[i].equals(unit)) {
                return i;
            }
        }
        throw new AssertionError(unit);
    }
}
