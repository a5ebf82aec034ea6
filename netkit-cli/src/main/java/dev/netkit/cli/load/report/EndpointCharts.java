package dev.netkit.cli.load.report;

import dev.netkit.cli.load.EndpointReport;
import dev.netkit.cli.load.TimelineEntry;
import java.util.List;
import java.util.Locale;

/**
 * How the load was spread over the targets: one bar group per endpoint (answered requests and
 * errors counted against it), and each endpoint's answers per second over time, stacked (one
 * band per endpoint, one point per timeline entry as {@link ThroughputChart} has, so the top is
 * the total), in the endpoints' order and colours.
 */
final class EndpointCharts {
    static final String BARS_ID = "endpoint-bars";
    static final String TIMELINE_ID = "endpoint-timeline";
    private static final String[] PALETTE = {
        "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79"};
    private static final String ERROR_COLOR = "#d62728";
    private static final int ROW = 44;

    private EndpointCharts() {}

    /** The {@code i}-th endpoint's colour. */
    static String color(int i) {
        return PALETTE[Math.floorMod(i, PALETTE.length)];
    }

    /** Bars of answered requests and errors per endpoint. */
    static String bars(List<EndpointReport> endpoints) {
        int height = 52 + 52 + ROW * Math.max(1, endpoints.size());
        SvgCanvas c = new SvgCanvas(BARS_ID, "Requests per endpoint", SvgCanvas.WIDTH, height);
        long max = endpoints.stream().mapToLong(e -> Math.max(e.answered(), e.errors())).max().orElse(0);
        NiceScale x = NiceScale.covering(max, 8);
        for (int i = 0; i <= x.steps(); i++) {
            c.xTick(x.fraction(i * x.step()), Html.count(Math.round(i * x.step())));
        }
        c.xAxis("requests in the measured window");
        double rowFraction = 1.0 / Math.max(1, endpoints.size());
        for (int i = 0; i < endpoints.size(); i++) {
            EndpointReport e = endpoints.get(i);
            double top = c.y(1 - i * rowFraction);
            String name = e.address() + (e.zone().isEmpty() ? "" : "@" + e.zone());
            c.raw(String.format(Locale.ROOT, "<g class=\"endpoint\" data-endpoint=\"%s\" data-answered=\"%d\" data-errors=\"%d\">"
                            + "<title>%s</title>\n", Html.escape(e.address()), e.answered(), e.errors(),
                    Html.escape(String.format(Locale.ROOT, "%s: %,d answered, %,d errors", name, e.answered(), e.errors()))));
            c.text(c.x(0) + 4, top + 13, "start", name + "  —  " + Html.count(e.answered()) + " answered, "
                    + Html.count(e.errors()) + " errors");
            bar(c, "answered", color(i), top + 17, x.fraction(e.answered()));
            bar(c, "errors", ERROR_COLOR, top + 30, x.fraction(e.errors()));
            c.raw("</g>\n");
        }
        if (endpoints.isEmpty()) {
            c.empty("no endpoints");
        }
        return c.close();
    }

    /** Each endpoint's answers per second over time, stacked. */
    static String timeline(List<EndpointReport> endpoints, List<TimelineEntry> all, double windowSeconds) {
        List<TimelineEntry> timeline = TimeAxis.rated(all);
        SvgCanvas c = new SvgCanvas(TIMELINE_ID, "Answers per second by endpoint", SvgCanvas.WIDTH, 320);
        TimeAxis time = new TimeAxis(windowSeconds);
        // stacked[i][j]: answers per second of endpoints 0..i-1 at entry j (stacked[0] is the floor)
        double[][] stacked = new double[endpoints.size() + 1][timeline.size()];
        double[] xs = new double[timeline.size()];
        for (int j = 0; j < timeline.size(); j++) {
            TimelineEntry t = timeline.get(j);
            xs[j] = time.fraction(t.endMillis() / 1000.0);
            for (int i = 0; i < endpoints.size(); i++) {
                long n = t.answered().getOrDefault(endpoints.get(i).address(), 0L);
                stacked[i + 1][j] = stacked[i][j] + n * 1000.0 / t.millis(); // rated: millis >= 250
            }
        }
        double max = 0;
        for (double v : stacked[endpoints.size()]) {
            max = Math.max(max, v);
        }
        NiceScale y = NiceScale.covering(max, 6);
        c.yAxis(y, "answers per second (stacked)");
        time.draw(c);
        TimeAxis.noteLeftOut(c, all, timeline);
        if (timeline.isEmpty()) {
            c.empty("no timeline");
        }
        for (int i = 0; i < endpoints.size(); i++) {
            String address = endpoints.get(i).address();
            c.band("band endpoint", color(i), xs, fractions(stacked[i], y), fractions(stacked[i + 1], y),
                    address + " answers per second");
            if (i < 4) {
                c.legend(i, color(i), address);
            }
        }
        return c.close();
    }

    private static double[] fractions(double[] values, NiceScale y) {
        double[] f = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            f[i] = y.fraction(values[i]);
        }
        return f;
    }

    private static void bar(SvgCanvas c, String cssClass, String color, double y, double fraction) {
        double x0 = c.x(0);
        c.raw(String.format(Locale.ROOT, "<rect class=\"bar %s\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"10\" fill=\"%s\"/>\n",
                cssClass, Html.num(x0), Html.num(y), Html.num(c.x(fraction) - x0), color));
    }
}
