package dev.netkit.cli.load;

import dev.netkit.cli.DurationConverter;
import dev.netkit.core.balance.OutlierConfig;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/** Prints a {@link LoadResult} as a human report or as one JSON line. */
public final class LoadReport {
    /** Events listed in the human report; the JSON has them all. */
    static final int TEXT_EVENTS = 20;

    private LoadReport() {}

    /** The multi-line human report. */
    public static void printText(PrintWriter out, LoadPlan plan, String transport, LoadResult r) {
        LoadResult.Latency l = r.latencyMicros();
        out.printf(Locale.ROOT, "targets      %s (client transport %s)%n", plan.addresses(), transport);
        out.printf(Locale.ROOT, "load         %d connection(s) x depth %d per target, %d-byte payloads%s%n",
                plan.connections(), plan.depth(), plan.size(), plan.openLoop()
                        ? String.format(Locale.ROOT, "; open loop at %,d req/s (latency from the intended send time)", plan.rate())
                        : "");
        out.printf(Locale.ROOT, "balancing    %s; %s%s%n", plan.lb().cliName(), describe(plan.outlier()),
                plan.balancing().breaker() ? "" : "; no circuit breaker");
        out.printf(Locale.ROOT, "failover     %s; %s%s; %,d request(s) retried%n",
                plan.balancing().retries() == 0 ? "no retries" : "up to " + plan.balancing().retries() + " retry(ies) when safe",
                plan.balancing().healthInterval().isZero() ? "no health checks"
                        : "health checks every " + DurationConverter.format(plan.balancing().healthInterval()),
                plan.balancing().localZone().isEmpty() ? "" : "; local zone " + plan.balancing().localZone(),
                r.retried());
        out.printf(Locale.ROOT, "window       %.1f s measured after %.1f s warm-up%n", r.seconds(), plan.warmup().toMillis() / 1000.0);
        out.printf(Locale.ROOT, "requests     %,d ok   errors %,d   mismatched %,d%n", r.requests(), r.errors(), r.mismatched());
        out.printf(Locale.ROOT, "throughput   %,.0f req/s%n", r.throughput());
        out.printf(Locale.ROOT, "connections  %d opened   reuse rate %.4f   validations %d%n",
                r.connectionsOpened(), r.reuseRate(), r.validations());
        out.printf(Locale.ROOT, "latency      p50 %s   p90 %s   p99 %s   p99.9 %s   max %s%n",
                formatMicros(l.p50()), formatMicros(l.p90()), formatMicros(l.p99()), formatMicros(l.p999()), formatMicros(l.max()));
        if (!r.errorsByKind().isEmpty()) {
            StringJoiner kinds = new StringJoiner("   ");
            r.errorsByKind().forEach((k, v) -> kinds.add(k + " " + v));
            out.println("errors       " + kinds + "   (slowest failure " + formatMicros(r.failedMaxMicros()) + ")");
        }
        if (r.endpoints().size() > 1 || !r.events().isEmpty()) {
            for (EndpointReport e : r.endpoints()) {
                out.printf(Locale.ROOT, "endpoint     %s%s  weight %d  answered %,d  errors %,d  picks %,d  ejections %d  now %s%n",
                        e.address(), e.zone().isEmpty() ? "" : "@" + e.zone(), e.weight(), e.answered(), e.errors(), e.picks(),
                        e.ejections(), status(e));
            }
        }
        List<LoadResult.TimedEvent> events = r.events();
        for (int i = 0; i < Math.min(events.size(), TEXT_EVENTS); i++) {
            LoadResult.TimedEvent t = events.get(i);
            BalancerEvent e = t.event();
            out.printf(Locale.ROOT, "%s %+7d ms  %-16s %s  %s%n", i == 0 ? "events      " : "            ",
                    t.atMillis(), e.type(), e.endpoint() == null ? "-" : e.endpoint(), e.detail());
        }
        long more = events.size() - Math.min(events.size(), TEXT_EVENTS) + r.eventsDropped();
        if (more > 0) {
            out.printf(Locale.ROOT, "             ... and %d more event(s)%s%n", more,
                    r.eventsDropped() > 0 ? " (" + r.eventsDropped() + " beyond the log's capacity)" : " (all in --json)");
        }
        out.flush();
    }

    /** One line of JSON: the fields other tooling relies on, then the balancer's view. */
    public static String json(LoadPlan plan, LoadResult r) {
        LoadResult.Latency l = r.latencyMicros();
        StringJoiner byKind = new StringJoiner(",", "{", "}");
        for (Map.Entry<String, Long> e : r.errorsByKind().entrySet()) {
            byKind.add(quote(e.getKey()) + ":" + e.getValue());
        }
        StringJoiner targets = new StringJoiner(",", "[", "]");
        plan.addresses().forEach(t -> targets.add(quote(t.toString())));
        StringBuilder json = new StringBuilder(String.format(Locale.ROOT,
                "{\"requests\":%d,\"errors\":%d,\"errors_by_kind\":%s,\"mismatched\":%d,\"throughput_rps\":%.1f,"
                        + "\"latency_us\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f},"
                        + "\"duration_s\":%.3f,\"targets\":%s,\"connections\":%d,\"depth\":%d,\"size\":%d,"
                        + "\"connections_opened\":%d,\"reuse_rate\":%.6f,\"validations\":%d,\"rate\":%d",
                r.requests(), r.errors(), byKind, r.mismatched(), r.throughput(),
                l.p50(), l.p90(), l.p99(), l.p999(), l.max(),
                r.seconds(), targets, plan.connections(), plan.depth(), plan.size(),
                r.connectionsOpened(), r.reuseRate(), r.validations(), plan.rate()));
        OutlierConfig o = plan.outlier();
        json.append(String.format(Locale.ROOT,
                ",\"failed_max_us\":%.1f,\"timeout_ms\":%d,\"lb\":%s,"
                        + "\"outlier\":{\"eject_after\":%d,\"ejection_time_ms\":%d,\"max_ejected_share\":%s},"
                        + "\"breaker\":%b,\"retries\":%d,\"retried\":%d,\"health_interval_ms\":%d,\"local_zone\":%s,"
                        + "\"start_epoch_ms\":%d",
                r.failedMaxMicros(), plan.timeout().toMillis(), quote(plan.lb().cliName()),
                o.enabled() ? o.consecutiveFailures() : 0, o.baseEjection().toMillis(), Double.toString(o.maxEjectedShare()),
                plan.balancing().breaker(), plan.balancing().retries(), r.retried(), plan.balancing().healthInterval().toMillis(),
                quote(plan.balancing().localZone()), r.startEpochMillis()));
        StringJoiner endpoints = new StringJoiner(",", "[", "]");
        for (EndpointReport e : r.endpoints()) {
            endpoints.add(String.format(Locale.ROOT,
                    "{\"address\":%s,\"weight\":%d,\"zone\":%s,\"answered\":%d,\"errors\":%d,\"picks\":%d,"
                            + "\"status\":%s,\"ejections\":%d}",
                    quote(e.address()), e.weight(), quote(e.zone()), e.answered(), e.errors(), e.picks(),
                    quote(status(e)), e.ejections()));
        }
        json.append(",\"endpoints\":").append(endpoints);
        StringJoiner events = new StringJoiner(",", "[", "]");
        for (LoadResult.TimedEvent t : r.events()) {
            BalancerEvent e = t.event();
            events.add("{\"at_ms\":" + t.atMillis() + ",\"type\":" + quote(e.type())
                    + ",\"endpoint\":" + (e.endpoint() == null ? "null" : quote(e.endpoint().toString()))
                    + ",\"detail\":" + quote(e.detail()) + "}");
        }
        json.append(",\"events\":").append(events).append(",\"events_dropped\":").append(r.eventsDropped());
        StringJoiner timeline = new StringJoiner(",", "[", "]");
        for (TimelineEntry t : r.timeline()) {
            StringJoiner answered = new StringJoiner(",", "{", "}");
            t.answered().forEach((k, v) -> answered.add(quote(k) + ":" + v));
            timeline.add(String.format(Locale.ROOT, "{\"t_ms\":%d,\"ms\":%d,\"requests\":%d,\"errors\":%d,\"rps\":%.1f,\"answered\":%s}",
                    t.endMillis(), t.millis(), t.requests(), t.errors(), t.rps(), answered));
        }
        json.append(",\"timeline\":").append(timeline).append('}');
        return json.toString();
    }

    /** {@code 812µs} below a millisecond, {@code 1.24ms} above. */
    static String formatMicros(double micros) {
        return micros < 1000 ? String.format(Locale.ROOT, "%.0fus", micros) : String.format(Locale.ROOT, "%.2fms", micros / 1000);
    }

    private static String describe(OutlierConfig o) {
        if (!o.enabled()) {
            return "no passive ejection";
        }
        return String.format(Locale.ROOT, "eject after %d consecutive failures for %s (n x that for the n-th in a row), "
                        + "at most %s of the targets at once",
                o.consecutiveFailures(), DurationConverter.format(o.baseEjection()), Double.toString(o.maxEjectedShare()));
    }

    private static String status(EndpointReport e) {
        return e.status().name().toLowerCase(Locale.ROOT);
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
