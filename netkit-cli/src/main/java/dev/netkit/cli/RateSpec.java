package dev.netkit.cli;

import dev.netkit.core.limit.RateLimit;
import dev.netkit.core.limit.TokenBucket;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A rate on the command line: {@code RATE[:BURST]}, whole numbers with an optional unit suffix
 * ({@code k}, {@code M}, {@code G} = 10^3, 10^6, 10^9; {@code Ki}, {@code Mi}, {@code Gi} = 2^10,
 * 2^20, 2^30), e.g. {@code 1000}, {@code 5k:10k}, {@code 10Mi:1Mi}. The burst defaults to one
 * second of rate.
 *
 * @param perSecond the rate
 * @param burst     the burst
 */
public record RateSpec(long perSecond, long burst) {
    private static final Pattern NUMBER = Pattern.compile("(\\d+)(k|M|G|Ki|Mi|Gi)?");

    /** The token bucket configuration, named after the option. */
    public RateLimit limit(String option) {
        return new RateLimit(option, perSecond, burst);
    }

    /** Parses {@code RATE[:BURST]}; a bad value fails with a message naming what was expected. */
    public static RateSpec parse(String value) {
        String[] parts = value.strip().split(":", -1);
        if (parts.length > 2) {
            throw bad(value);
        }
        long rate = number(parts[0], value);
        long burst = parts.length == 2 ? number(parts[1], value) : rate;
        check("rate", rate, value);
        check("burst", burst, value);
        return new RateSpec(rate, burst);
    }

    private static long number(String text, String whole) {
        Matcher m = NUMBER.matcher(text);
        if (!m.matches()) {
            throw bad(whole);
        }
        long unit = switch (m.group(2) == null ? "" : m.group(2)) {
            case "k" -> 1_000L;
            case "M" -> 1_000_000L;
            case "G" -> 1_000_000_000L;
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            default -> 1L;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new TypeConversionException("'" + whole + "': " + text + " overflows (expected at most "
                    + TokenBucket.MAX_RATE + ")");
        }
    }

    private static void check(String what, long v, String whole) {
        long max = what.equals("rate") ? TokenBucket.MAX_RATE : TokenBucket.MAX_BURST;
        if (v < 1 || v > max) {
            throw new TypeConversionException(String.format(Locale.ROOT, "'%s': %s %d (expected: 1..%d)", whole, what, v, max));
        }
    }

    private static TypeConversionException bad(String value) {
        return new TypeConversionException("'" + value + "' is not a rate (expected RATE[:BURST], whole numbers with an "
                + "optional k, M, G, Ki, Mi or Gi, e.g. 1000, 5k:10k, 10Mi:1Mi)");
    }

    /** picocli's converter. */
    public static final class Converter implements ITypeConverter<RateSpec> {
        @Override
        public RateSpec convert(String value) {
            return parse(value);
        }
    }
}
