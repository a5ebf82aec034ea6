package dev.netkit.cli.load.report;

/**
 * Writes one SVG chart: a plot area inside margins, axes with ticks and labels, and series placed
 * by fractions of the plot area (0..1 on each axis, y upwards). Every text is escaped. The
 * {@code <svg>} gets an {@code id}, a {@code <title>} and a {@code data-chart} attribute so that
 * tools and tests can find it. No {@code xmlns}: inline in HTML the parser puts it in the SVG
 * namespace, and the page references no URL at all.
 */
final class SvgCanvas {
    static final int WIDTH = 900;
    private static final int LEFT = 76;
    private static final int RIGHT = 48;
    private static final int TOP = 52;
    private static final int BOTTOM = 52;

    private final StringBuilder b = new StringBuilder(4096);
    private final int width;
    private final int height;

    /** Opens the {@code <svg>} element and writes its title, also shown above the plot. */
    SvgCanvas(String id, String title, int width, int height) {
        this.width = width;
        this.height = height;
        b.append("<svg id=\"").append(Html.escape(id))
                .append("\" data-chart=\"").append(Html.escape(id))
                .append("\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" role=\"img\" font-family=\"sans-serif\" font-size=\"12\">\n")
                .append("<title>").append(Html.escape(title)).append("</title>\n")
                .append("<text x=\"").append(LEFT).append("\" y=\"20\" font-size=\"14\" font-weight=\"bold\">")
                .append(Html.escape(title)).append("</text>\n");
    }

    /** The plot area's x coordinate of a fraction (0 left, 1 right). */
    double x(double fraction) {
        return LEFT + clamp(fraction) * (width - LEFT - RIGHT);
    }

    /** The plot area's y coordinate of a fraction (0 bottom, 1 top). */
    double y(double fraction) {
        return TOP + (1 - clamp(fraction)) * (height - TOP - BOTTOM);
    }

    /** The y axis: a grid line and label at each tick of {@code scale}, and the axis name. */
    void yAxis(NiceScale scale, String name) {
        for (int i = 0; i <= scale.steps(); i++) {
            double v = i * scale.step();
            double y = y(scale.fraction(v));
            line(x(0), y, x(1), y, "#e3e3e3", null);
            text(LEFT - 6, y + 4, "end", scale.step() >= 1 ? Html.count(Math.round(v)) : Html.num(v));
        }
        b.append("<text transform=\"translate(16 ").append(Html.num(y(0.5))).append(") rotate(-90)\" text-anchor=\"middle\">")
                .append(Html.escape(name)).append("</text>\n");
    }

    /** One x tick: a grid line and a label at {@code fraction} of the width. */
    void xTick(double fraction, String label) {
        double x = x(fraction);
        line(x, y(0), x, y(1), "#e3e3e3", null);
        b.append("<text class=\"xtick\" x=\"").append(Html.num(x)).append("\" y=\"").append(Html.num(y(0) + 16))
                .append("\" text-anchor=\"middle\">").append(Html.escape(label)).append("</text>\n");
    }

    /** The x axis' name, under the tick labels, and the axes' lines. */
    void xAxis(String name) {
        text(x(0.5), height - 10, "middle", name);
        line(x(0), y(0), x(1), y(0), "#555", null);
        line(x(0), y(0), x(0), y(1), "#555", null);
    }

    /** A series as a polyline through (xs[i], ys[i]) given as fractions; {@code data-points} holds their count. */
    void polyline(String cssClass, String color, double[] xs, double[] ys, String title) {
        b.append("<polyline class=\"").append(Html.escape(cssClass)).append("\" data-points=\"").append(xs.length)
                .append("\" fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"");
        for (int i = 0; i < xs.length; i++) {
            b.append(i == 0 ? "" : " ").append(Html.num(x(xs[i]))).append(',').append(Html.num(y(ys[i])));
        }
        b.append("\">");
        if (title != null) {
            b.append("<title>").append(Html.escape(title)).append("</title>");
        }
        b.append("</polyline>\n");
    }

    /** A straight line in plot coordinates; {@code dash} may be null. */
    void line(double x1, double y1, double x2, double y2, String color, String dash) {
        b.append("<line x1=\"").append(Html.num(x1)).append("\" y1=\"").append(Html.num(y1))
                .append("\" x2=\"").append(Html.num(x2)).append("\" y2=\"").append(Html.num(y2))
                .append("\" stroke=\"").append(color).append('"');
        if (dash != null) {
            b.append(" stroke-dasharray=\"").append(dash).append('"');
        }
        b.append("/>\n");
    }

    /** A text at plot coordinates; {@code anchor} is start, middle or end. */
    void text(double x, double y, String anchor, String text) {
        b.append("<text x=\"").append(Html.num(x)).append("\" y=\"").append(Html.num(y))
                .append("\" text-anchor=\"").append(anchor).append("\">").append(Html.escape(text)).append("</text>\n");
    }

    /** A legend entry (colour swatch and name) under the title, the {@code slot}-th from the left (four fit). */
    void legend(int slot, String color, String name) {
        double x = LEFT + 200.0 * slot;
        b.append("<rect x=\"").append(Html.num(x)).append("\" y=\"28\" width=\"12\" height=\"12\" fill=\"").append(color)
                .append("\"/>\n");
        text(x + 16, 38, "start", name.length() > 28 ? name.substring(0, 27) + "…" : name);
    }

    /** A filled band between two lines through the same xs (fractions); {@code data-points} holds their count. */
    void band(String cssClass, String color, double[] xs, double[] lower, double[] upper, String title) {
        b.append("<polygon class=\"").append(Html.escape(cssClass)).append("\" data-points=\"").append(xs.length)
                .append("\" fill=\"").append(color).append("\" fill-opacity=\"0.75\" stroke=\"").append(color)
                .append("\" points=\"");
        for (int i = 0; i < xs.length; i++) {
            b.append(i == 0 ? "" : " ").append(Html.num(x(xs[i]))).append(',').append(Html.num(y(upper[i])));
        }
        for (int i = xs.length - 1; i >= 0; i--) {
            b.append(' ').append(Html.num(x(xs[i]))).append(',').append(Html.num(y(lower[i])));
        }
        b.append("\"><title>").append(Html.escape(title)).append("</title></polygon>\n");
    }

    /** Appends markup built by the caller, which must have escaped its text. */
    void raw(String markup) {
        b.append(markup);
    }

    /** A short note in the bottom-left corner, under the y axis. */
    void footnote(String text) {
        text(4, height - 10, "start", text);
    }

    /** A message in the middle of an empty plot. */
    void empty(String message) {
        text(x(0.5), y(0.5), "middle", message);
    }

    /** Closes the element and returns the markup. */
    String close() {
        return b.append("</svg>\n").toString();
    }

    private static double clamp(double f) {
        return Double.isNaN(f) ? 0 : Math.max(0, Math.min(1, f));
    }
}
