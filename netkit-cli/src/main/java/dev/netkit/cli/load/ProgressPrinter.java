package dev.netkit.cli.load;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Once a second: moves the recorder's interval histogram into the run's total and prints one
 * progress line. Runs on the load generator's timer thread only.
 */
final class ProgressPrinter {
    private final PrintWriter out;
    private final Recorder recorder;
    private final LongAdder ok;
    private final LongAdder mismatched;
    private final Map<String, LongAdder> errors;
    private final Histogram total;
    private final long start;
    private Histogram interval;
    private long lastOk;
    private long lastTick;

    ProgressPrinter(PrintWriter out, Recorder recorder, LongAdder ok, LongAdder mismatched,
                    Map<String, LongAdder> errors, Histogram total, long start) {
        this.out = out;
        this.recorder = recorder;
        this.ok = ok;
        this.mismatched = mismatched;
        this.errors = errors;
        this.total = total;
        this.start = start;
        this.lastTick = start;
    }

    synchronized void tick() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        long now = System.nanoTime();
        long okNow = ok.sum();
        double rate = (okNow - lastOk) / ((now - lastTick) / 1e9);
        lastOk = okNow;
        lastTick = now;
        if (out != null) {
            long errorCount = errors.values().stream().mapToLong(LongAdder::sum).sum();
            out.printf("[%5.1fs] %,10.0f req/s   p50 %s   p99 %s   errors %d   mismatched %d%n",
                    (now - start) / 1e9, rate,
                    LoadReport.formatMicros(interval.getValueAtPercentile(50) / 1000.0),
                    LoadReport.formatMicros(interval.getValueAtPercentile(99) / 1000.0),
                    errorCount, mismatched.sum());
            out.flush();
        }
    }

    /** Takes what was recorded since the last tick into the total (end of the window). */
    synchronized void absorbRemaining() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
    }
}
