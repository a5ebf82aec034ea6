package dev.netkit.cli.load;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/** Prints a {@link LoadResult} as a human report or as one JSON line. */
public final class LoadReport {
    private LoadReport() {}

    /** The multi-line human report. */
    public static void printText(PrintWriter out, LoadPlan plan, String transport, LoadResult r) {
        LoadResult.Latency l = r.latencyMicros();
        out.printf(Locale.ROOT, "targets      %s (client transport %s)%n", plan.targets(), transport);
        out.printf(Locale.ROOT, "load         %d connection(s) x depth %d per target, %d-byte payloads%n",
                plan.connections(), plan.depth(), plan.size());
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
            out.println("errors       " + kinds);
        }
        out.flush();
    }

    /** One line of JSON with the fields other tooling relies on. */
    public static String json(LoadPlan plan, LoadResult r) {
        LoadResult.Latency l = r.latencyMicros();
        StringJoiner byKind = new StringJoiner(",", "{", "}");
        for (Map.Entry<String, Long> e : r.errorsByKind().entrySet()) {
            byKind.add(quote(e.getKey()) + ":" + e.getValue());
        }
        StringJoiner targets = new StringJoiner(",", "[", "]");
        plan.targets().forEach(t -> targets.add(quote(t.toString())));
        return String.format(Locale.ROOT,
                "{\"requests\":%d,\"errors\":%d,\"errors_by_kind\":%s,\"mismatched\":%d,\"throughput_rps\":%.1f,"
                        + "\"latency_us\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f},"
                        + "\"duration_s\":%.3f,\"targets\":%s,\"connections\":%d,\"depth\":%d,\"size\":%d,"
                        + "\"connections_opened\":%d,\"reuse_rate\":%.6f,\"validations\":%d}",
                r.requests(), r.errors(), byKind, r.mismatched(), r.throughput(),
                l.p50(), l.p90(), l.p99(), l.p999(), l.max(),
                r.seconds(), targets, plan.connections(), plan.depth(), plan.size(),
                r.connectionsOpened(), r.reuseRate(), r.validations());
    }

    /** {@code 812µs} below a millisecond, {@code 1.24ms} above. */
    static String formatMicros(double micros) {
        return micros < 1000 ? String.format(Locale.ROOT, "%.0fus", micros) : String.format(Locale.ROOT, "%.2fms", micros / 1000);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
