package dev.netkit.cli.load.report;

import dev.netkit.cli.DurationConverter;
import dev.netkit.cli.load.BalancerEvent;
import dev.netkit.cli.load.EndpointReport;
import dev.netkit.cli.load.LoadPlan;
import dev.netkit.cli.load.LoadResult;
import dev.netkit.core.balance.WeightedEndpoint;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code --html} page of a load run: one self-contained, well-formed (XHTML-compatible) page
 * with no script, stylesheet, font or link outside it. A header with the run's setup and totals
 * (each figure in an element with an {@code id} and its raw value, as in the JSON report, in
 * {@code data-value}), then the charts: throughput over time with the balancer's events, the
 * latency percentile curve, requests per endpoint and each endpoint's answers per second, then
 * the endpoints and events tables. Every text coming from the run is escaped.
 */
public final class HtmlReport {
    private static final String STYLE = """
            body{font-family:sans-serif;margin:24px;color:#222;max-width:960px}
            h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px}
            table{border-collapse:collapse;margin:8px 0}th,td{padding:3px 10px;text-align:left;border-bottom:1px solid #e3e3e3}
            td.n{text-align:right;font-variant-numeric:tabular-nums}.sub{color:#666}
            .cols{display:flex;gap:32px;flex-wrap:wrap}svg{display:block;margin:12px 0;max-width:100%;height:auto}
            """;

    private HtmlReport() {}

    /**
     * The page.
     *
     * @param transport the client transport's name, as in the text report
     */
    public static String render(LoadPlan plan, String transport, LoadResult r) {
        StringBuilder b = new StringBuilder(32_768);
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append("<title>netkit load report</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n")
                .append("<h1>netkit load report</h1>\n<p class=\"sub\">measured window started ")
                .append(Html.escape(Instant.ofEpochMilli(r.startEpochMillis()).toString())).append("</p>\n");
        b.append("<div class=\"cols\">\n");
        setup(b, plan, transport, r);
        totals(b, r);
        b.append("</div>\n");
        b.append("<h2>Throughput</h2>\n").append(ThroughputChart.svg(r.timeline(), r.events(), r.seconds()));
        b.append("<h2>Latency</h2>\n").append(LatencyChart.svg(r.latencyNanos()));
        b.append("<h2>Endpoints</h2>\n").append(EndpointCharts.bars(r.endpoints()))
                .append(EndpointCharts.timeline(r.endpoints(), r.timeline(), r.seconds()));
        endpoints(b, r);
        events(b, r);
        return b.append("</body>\n</html>\n").toString();
    }

    private static void setup(StringBuilder b, LoadPlan plan, String transport, LoadResult r) {
        b.append("<table id=\"setup\">\n<tr><th colspan=\"2\">Run</th></tr>\n");
        StringBuilder targets = new StringBuilder();
        for (WeightedEndpoint t : plan.targets()) {
            targets.append(targets.isEmpty() ? "" : "<br/>").append(Html.escape(t.address().toString()))
                    .append(t.weight() == 1 ? "" : " weight " + t.weight())
                    .append(t.zone().isEmpty() ? "" : " zone " + Html.escape(t.zone()));
        }
        row(b, "targets", "Targets", null, targets.toString());
        row(b, "strategy", "Strategy", plan.lb().cliName(), Html.escape(plan.lb().cliName()));
        row(b, "load", "Load", null, String.format(Locale.ROOT, "%d connection(s) × depth %d per target",
                plan.connections(), plan.depth()));
        row(b, "size", "Payload", Integer.toString(plan.size()), plan.size() + " bytes");
        row(b, "duration", "Duration", String.format(Locale.ROOT, "%.3f", r.seconds()),
                String.format(Locale.ROOT, "%.1f s after %s warm-up", r.seconds(), Html.escape(DurationConverter.format(plan.warmup()))));
        row(b, "timeout", "Timeout", Long.toString(plan.timeout().toMillis()), Html.escape(DurationConverter.format(plan.timeout())));
        row(b, "retries", "Retries", Integer.toString(plan.balancing().retries()),
                plan.balancing().retries() == 0 ? "none" : "up to " + plan.balancing().retries() + " when safe");
        row(b, "transport", "Transport", null, Html.escape(transport));
        b.append("</table>\n");
    }

    private static void totals(StringBuilder b, LoadResult r) {
        LoadResult.Latency l = r.latencyMicros();
        b.append("<table id=\"totals\">\n<tr><th colspan=\"2\">Totals</th></tr>\n");
        row(b, "requests", "Requests (verified)", Long.toString(r.requests()), Html.count(r.requests()));
        row(b, "errors", "Errors", Long.toString(r.errors()), Html.count(r.errors()));
        for (Map.Entry<String, Long> e : r.errorsByKind().entrySet()) {
            b.append("<tr class=\"error-kind\"><th class=\"sub\">&#160;&#160;").append(Html.escape(e.getKey()))
                    .append("</th><td class=\"n\" data-kind=\"").append(Html.escape(e.getKey())).append("\" data-value=\"")
                    .append(e.getValue()).append("\">").append(Html.count(e.getValue())).append("</td></tr>\n");
        }
        row(b, "mismatched", "Mismatched", Long.toString(r.mismatched()), Html.count(r.mismatched()));
        row(b, "retried", "Retried", Long.toString(r.retried()), Html.count(r.retried()));
        row(b, "throughput", "Throughput", String.format(Locale.ROOT, "%.1f", r.throughput()),
                String.format(Locale.ROOT, "%,.0f req/s", r.throughput()));
        latency(b, "p50", "p50", l.p50());
        latency(b, "p90", "p90", l.p90());
        latency(b, "p99", "p99", l.p99());
        latency(b, "p999", "p99.9", l.p999());
        latency(b, "max", "max", l.max());
        b.append("</table>\n");
    }

    private static void latency(StringBuilder b, String key, String label, double micros) {
        row(b, "latency-" + key, "Latency " + label, String.format(Locale.ROOT, "%.1f", micros), Html.escape(Html.micros(micros)));
    }

    private static void endpoints(StringBuilder b, LoadResult r) {
        b.append("<table id=\"endpoints\">\n<tr><th>Endpoint</th><th>Zone</th><th>Weight</th><th>Answered</th><th>Errors</th>")
                .append("<th>Picks</th><th>Ejections</th><th>Status</th></tr>\n");
        for (EndpointReport e : r.endpoints()) {
            b.append("<tr><td>").append(Html.escape(e.address())).append("</td><td>").append(Html.escape(e.zone()))
                    .append("</td><td class=\"n\">").append(e.weight())
                    .append("</td><td class=\"n\">").append(Html.count(e.answered()))
                    .append("</td><td class=\"n\">").append(Html.count(e.errors()))
                    .append("</td><td class=\"n\">").append(Html.count(e.picks()))
                    .append("</td><td class=\"n\">").append(e.ejections())
                    .append("</td><td>").append(Html.escape(e.status().name().toLowerCase(Locale.ROOT))).append("</td></tr>\n");
        }
        b.append("</table>\n");
    }

    private static void events(StringBuilder b, LoadResult r) {
        b.append("<h2>Balancer events</h2>\n");
        if (r.events().isEmpty()) {
            b.append("<p id=\"no-events\">None.</p>\n");
        } else {
            b.append("<table id=\"events\">\n<tr><th>Time (ms)</th><th>Type</th><th>Endpoint</th><th>Detail</th></tr>\n");
            for (LoadResult.TimedEvent t : r.events()) {
                BalancerEvent e = t.event();
                b.append("<tr class=\"event\"><td class=\"n\">").append(String.format(Locale.ROOT, "%+d", t.atMillis()))
                        .append("</td><td>").append(Html.escape(e.type()))
                        .append("</td><td>").append(e.endpoint() == null ? "-" : Html.escape(e.endpoint().toString()))
                        .append("</td><td>").append(Html.escape(e.detail())).append("</td></tr>\n");
            }
            b.append("</table>\n");
        }
        if (r.eventsDropped() > 0) {
            b.append("<p>").append(r.eventsDropped()).append(" more event(s) beyond the log's capacity, counted only.</p>\n");
        }
    }

    /** A header row; {@code html} must be escaped already, {@code value} (raw, may be null) goes in data-value. */
    private static void row(StringBuilder b, String id, String label, String value, String html) {
        b.append("<tr><th>").append(Html.escape(label)).append("</th><td id=\"").append(id).append('"');
        if (value != null) {
            b.append(" class=\"n\" data-value=\"").append(Html.escape(value)).append('"');
        }
        b.append('>').append(html).append("</td></tr>\n");
    }
}
