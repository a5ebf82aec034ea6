package dev.netkit.cli.load.report;

import dev.netkit.cli.load.BalancerEvent;
import dev.netkit.cli.load.LoadResult.TimedEvent;
import dev.netkit.cli.load.TimelineEntry;
import java.util.List;
import java.util.Locale;

/**
 * Throughput over time: verified requests per second and failed requests per second, one point
 * per timeline entry (placed at the entry's end; a last remnant shorter than
 * {@link TimeAxis#MIN_RATE_MILLIS} is left out, its rate would be noise), and the balancer's events of the measured
 * window as dashed vertical lines (ejections and kills red, returns and restarts green, the others grey), each with its
 * time, type, endpoint and detail as a tooltip.
 */
final class ThroughputChart {
    static final String ID = "throughput-chart";
    private static final int HEIGHT = 320;

    private ThroughputChart() {}

    /** The chart's {@code <svg>} element. */
    static String svg(List<TimelineEntry> all, List<TimedEvent> events, double windowSeconds) {
        List<TimelineEntry> timeline = TimeAxis.rated(all);
        SvgCanvas c = new SvgCanvas(ID, "Throughput over time", SvgCanvas.WIDTH, HEIGHT);
        TimeAxis time = new TimeAxis(windowSeconds);
        double[] xs = new double[timeline.size()];
        double[] ok = new double[timeline.size()];
        double[] failed = new double[timeline.size()];
        double max = 0;
        for (int i = 0; i < timeline.size(); i++) {
            TimelineEntry t = timeline.get(i);
            xs[i] = time.fraction(t.endMillis() / 1000.0);
            ok[i] = t.rps();
            failed[i] = t.millis() <= 0 ? 0 : t.errors() * 1000.0 / t.millis();
            max = Math.max(max, Math.max(ok[i], failed[i]));
        }
        NiceScale y = NiceScale.covering(max, 6);
        c.yAxis(y, "requests per second");
        time.draw(c);
        TimeAxis.noteLeftOut(c, all, timeline);
        if (timeline.isEmpty()) {
            c.empty("no timeline");
        }
        int shown = 0;
        for (TimedEvent e : events) {
            double at = e.atMillis() / 1000.0;
            if (at < 0 || at > time.seconds()) {
                continue; // warm-up events are in the table only
            }
            BalancerEvent be = e.event();
            double x = c.x(time.fraction(at));
            c.raw(String.format(Locale.ROOT, "<g class=\"event\" data-type=\"%s\"><title>%s</title>",
                    Html.escape(be.type()), Html.escape(describe(e))));
            c.line(x, c.y(0), x, c.y(1), color(be.type()), "5,4");
            if (shown < 12) { // beyond that, labels would only hide each other: the tooltip and the table remain
                c.text(x + 3, c.y(1) + 12 + 12 * (shown % 3), "start", be.type());
            }
            shown++;
            c.raw("</g>\n");
        }
        c.polyline("series rps", "#1f77b4", xs, scale(ok, y), "verified requests per second");
        c.polyline("series errors", "#d62728", xs, scale(failed, y), "failed requests per second");
        c.legend(0, "#1f77b4", "verified req/s");
        c.legend(1, "#d62728", "failed req/s");
        c.legend(2, "#888888", "balancer events (dashed)");
        return c.close();
    }

    /** {@code +3063 ms ejected 127.0.0.1:7003: 5 consecutive failures}. */
    static String describe(TimedEvent e) {
        BalancerEvent be = e.event();
        return String.format(Locale.ROOT, "%+d ms %s %s: %s", e.atMillis(), be.type(),
                be.endpoint() == null ? "(all)" : be.endpoint().toString(), be.detail());
    }

    private static String color(String type) {
        return switch (type) {
            case "ejected", "unhealthy", "panic", "breaker", "killed" -> "#d62728";
            case "returned", "healthy", "panic_over", "restarted" -> "#2ca02c";
            default -> "#888888";
        };
    }

    private static double[] scale(double[] values, NiceScale y) {
        double[] f = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            f[i] = y.fraction(values[i]);
        }
        return f;
    }
}
