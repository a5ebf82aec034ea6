package dev.netkit.cli.load.report;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The latency percentile curve, as HdrHistogram's plotter draws it: x is the percentile on the
 * {@link PercentileScale} (0%, 90%, 99%, 99.9%... evenly spaced), y the latency in milliseconds;
 * one point per step of the histogram's percentile iteration (the steps of
 * {@code outputPercentileDistribution}).
 */
final class LatencyChart {
    static final String ID = "latency-chart";
    /** Percentile ticks per half distance, as {@code outputPercentileDistribution}'s usual 5. */
    static final int TICKS_PER_HALF_DISTANCE = 5;
    private static final int HEIGHT = 340;

    private LatencyChart() {}

    /**
     * One point of the curve.
     *
     * @param percentile 0..1
     * @param millis     the latency at or below which that share of requests completed
     */
    record Point(double percentile, double millis) {}

    /** The curve's points, from a histogram of nanoseconds; empty when it holds nothing. */
    static List<Point> points(Histogram nanos) {
        List<Point> points = new ArrayList<>();
        if (nanos.getTotalCount() == 0) {
            return points;
        }
        for (HistogramIterationValue v : nanos.percentiles(TICKS_PER_HALF_DISTANCE)) {
            points.add(new Point(v.getPercentileLevelIteratedTo() / 100.0, v.getValueIteratedTo() / 1e6));
        }
        return points;
    }

    /** The chart's {@code <svg>} element. */
    static String svg(Histogram nanos) {
        SvgCanvas c = new SvgCanvas(ID, "Latency by percentile", SvgCanvas.WIDTH, HEIGHT);
        List<Point> points = points(nanos);
        PercentileScale x = PercentileScale.forCount(nanos.getTotalCount());
        NiceScale y = NiceScale.covering(points.stream().mapToDouble(Point::millis).max().orElse(0), 6);
        c.yAxis(y, "latency (ms)");
        for (int k = 0; k <= x.decades(); k++) {
            c.xTick((double) k / x.decades(), PercentileScale.label(k));
        }
        c.xAxis("percentile");
        if (points.isEmpty()) {
            c.empty("no successful request");
        }
        double[] xs = new double[points.size()];
        double[] ys = new double[points.size()];
        for (int i = 0; i < points.size(); i++) {
            xs[i] = x.fraction(points.get(i).percentile());
            ys[i] = y.fraction(points.get(i).millis());
        }
        c.polyline("series latency", "#1f77b4", xs, ys, "latency (ms) at each percentile");
        return c.close();
    }
}
