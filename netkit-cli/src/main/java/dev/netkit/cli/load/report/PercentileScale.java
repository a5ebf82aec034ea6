package dev.netkit.cli.load.report;

/**
 * HdrHistogram's percentile axis: a percentile {@code p} (0..1) sits at {@code log10(1/(1-p))},
 * so 0%, 90%, 99%, 99.9%... are evenly spaced, one decade each, and the tail gets the room.
 * The axis ends after {@code decades} decades; 100% (and anything past the end) is drawn at the end.
 *
 * @param decades how many decades the axis shows (1..15)
 */
record PercentileScale(int decades) {
    /** Validates the range. */
    PercentileScale {
        if (decades < 1 || decades > 15) {
            throw new IllegalArgumentException("decades: " + decades + " (expected 1..15)");
        }
    }

    /** Enough decades to reach the last finite percentile of {@code count} values (1 in count), 1..7. */
    static PercentileScale forCount(long count) {
        int d = count <= 10 ? 1 : (int) Math.ceil(Math.log10(count) - 1e-9);
        return new PercentileScale(Math.min(7, Math.max(1, d)));
    }

    /** Position of percentile {@code p} (0..1) in decades, 0..{@link #decades()}. */
    double decade(double p) {
        if (p <= 0) {
            return 0;
        }
        if (p >= 1) {
            return decades;
        }
        return Math.min(decades, Math.log10(1 / (1 - p)));
    }

    /** Position of percentile {@code p} from 0 (axis start) to 1 (axis end). */
    double fraction(double p) {
        return decade(p) / decades;
    }

    /** The label of decade {@code k}'s tick: {@code 0%}, {@code 90%}, {@code 99%}, {@code 99.9%}, {@code 99.99%}... */
    static String label(int k) {
        if (k <= 0) {
            return "0%";
        }
        if (k == 1) {
            return "90%";
        }
        return "99" + (k == 2 ? "" : "." + "9".repeat(k - 2)) + "%";
    }
}
