package dev.netkit.cli.load.report;

import dev.netkit.cli.load.TimelineEntry;
import java.util.List;

/**
 * The time axis of the per-second charts: 0 to the measured window's end in seconds, with ticks
 * at round steps inside it.
 *
 * @param seconds the window's length
 */
record TimeAxis(double seconds) {
    /** Entries shorter than this (the window's last remnant, often a few ms) give no meaningful rate. */
    static final long MIN_RATE_MILLIS = 250;

    /** Clamps to a small positive length, so an empty run still draws an axis. */
    TimeAxis {
        seconds = seconds > 0 ? seconds : 1;
    }

    /** {@code atSeconds}'s position from 0 to 1. */
    double fraction(double atSeconds) {
        return atSeconds / seconds;
    }

    /** The entries worth a point on a per-second chart: all but those shorter than {@link #MIN_RATE_MILLIS}. */
    static List<TimelineEntry> rated(List<TimelineEntry> timeline) {
        return timeline.stream().filter(t -> t.millis() >= MIN_RATE_MILLIS).toList();
    }

    /** A note under the plot when {@link #rated} left entries out, so the reader knows. */
    static void noteLeftOut(SvgCanvas c, List<TimelineEntry> timeline, List<TimelineEntry> rated) {
        long ms = timeline.stream().filter(t -> t.millis() < MIN_RATE_MILLIS).mapToLong(TimelineEntry::millis).sum();
        if (rated.size() < timeline.size()) {
            c.footnote("(last " + ms + " ms not plotted)");
        }
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
