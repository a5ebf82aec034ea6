package dev.netkit.cli.udp;

import java.io.PrintWriter;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * What one {@code netkit udp-load} run measured.
 *
 * @param echo whether echoes were expected (false with {@code --no-echo}: only sending is measured)
 */
record UdpLoadResult(String target, int size, int sockets, double rate, boolean echo, double seconds,
                     long sent, long received, long mismatched, Histogram latencyMicros) {

    long lost() {
        return echo ? Math.max(0, sent - received) : 0;
    }

    double sentPps() {
        return sent / seconds;
    }

    double receivedPps() {
        return received / seconds;
    }

    private double p(double percentile) {
        return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getValueAtPercentile(percentile);
    }

    String json() {
        return String.format(Locale.ROOT,
                "{\"sent\":%d,\"received\":%d,\"lost\":%d,\"loss_ratio\":%.6f,\"sent_pps\":%.1f,\"received_pps\":%.1f,"
                        + "\"mismatched\":%d,\"latency_us\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f},"
                        + "\"duration_s\":%.3f,\"target\":\"%s\",\"size\":%d,\"sockets\":%d,\"rate\":%.1f,\"echo\":%b}",
                sent, received, lost(), sent == 0 ? 0.0 : (double) lost() / sent, sentPps(), receivedPps(), mismatched,
                p(50), p(90), p(99), p(99.9), latencyMicros.getTotalCount() == 0 ? 0.0 : (double) latencyMicros.getMaxValue(),
                seconds, target, size, sockets, rate, echo);
    }

    void printText(PrintWriter out) {
        out.printf(Locale.ROOT, "target %s, %d-byte datagrams, %d socket(s), %s, %.1f s%n", target, size, sockets,
                rate > 0 ? String.format(Locale.ROOT, "%.0f packets/s", rate) : "flat out", seconds);
        out.printf(Locale.ROOT, "sent       %d (%.0f packets/s)%n", sent, sentPps());
        if (echo) {
            out.printf(Locale.ROOT, "received   %d (%.0f packets/s)%n", received, receivedPps());
            out.printf(Locale.ROOT, "lost       %d (%.4f %%)%n", lost(), sent == 0 ? 0.0 : 100.0 * lost() / sent);
            out.printf(Locale.ROOT, "mismatched %d%n", mismatched);
            out.printf(Locale.ROOT, "latency us p50 %.0f  p90 %.0f  p99 %.0f  p99.9 %.0f  max %d%n",
                    p(50), p(90), p(99), p(99.9), latencyMicros.getMaxValue());
        }
        out.flush();
    }
}
