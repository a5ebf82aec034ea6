package dev.netkit.cli.load.report;

/**
 * The time axis of the per-second charts: 0 to the measured window's end in seconds, with ticks
 * at round steps inside it.
 *
 * @param seconds the window's length
 */
record TimeAxis(double seconds) {
    /** Clamps to a small positive length, so an empty run still draws an axis. */
    TimeAxis {
        seconds = seconds > 0 ? seconds : 1;
    }

    /** {@code atSeconds}'s position from 0 to 1. */
    double fraction(double atSeconds) {
        return atSeconds / seconds;
    }

    /** Writes the ticks (about ten) and the axis' name. */
    void draw(SvgCanvas c) {
        NiceScale steps = NiceScale.covering(seconds, 10);
        for (int i = 0; i * steps.step() <= seconds + 1e-9; i++) {
            double t = i * steps.step();
            c.xTick(fraction(t), Html.num(t) + " s");
        }
        c.xAxis("time since the measured window started (s)");
    }
}
