package dev.netkit.cli.load.report;

/**
 * A linear axis from 0 to a round maximum with 1-2-5 steps ({@code 0, 200, 400...}), so tick
 * labels stay short and readable.
 *
 * @param max  the axis maximum, a multiple of {@code step} at or above the data's maximum
 * @param step the distance between ticks
 */
record NiceScale(double max, double step) {

    /** An axis for data from 0 to {@code dataMax}, with about {@code ticks} steps (at least 1). */
    static NiceScale covering(double dataMax, int ticks) {
        if (!(dataMax > 0) || Double.isInfinite(dataMax)) {
            return new NiceScale(1, 1.0 / Math.max(1, ticks));
        }
        double raw = dataMax / Math.max(1, ticks);
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double fraction = raw / magnitude;
        double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        double step = nice * magnitude;
        return new NiceScale(Math.ceil(dataMax / step - 1e-9) * step, step);
    }

    /** The number of steps from 0 to {@link #max()}. */
    int steps() {
        return (int) Math.round(max / step);
    }

    /** {@code v}'s position from 0 (axis start) to 1 (axis end). */
    double fraction(double v) {
        return v / max;
    }
}
