package dev.netkit.cli.load;

import dev.netkit.core.balance.BalancerStats;
import dev.netkit.core.balance.EndpointStats;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Once a second: moves the recorder's interval histogram into the run's total, appends one
 * {@link TimelineEntry} (requests, errors, answers per target), hands the interval to an optional
 * listener (the {@code --hdr} log) and prints one progress line. Runs on the load generator's
 * timer thread, and once more at the end of the window on the thread that ends it.
 *
 * <p>A second's request count is its interval histogram's count: the recorder puts every recorded
 * latency in exactly one interval, so the timeline, the total histogram and the report agree.
 */
final class ProgressPrinter {
    private final PrintWriter out;
    private final Recorder recorder;
    private final LongAdder mismatched;
    private final Map<String, LongAdder> errors;
    private final Histogram total;
    private final Supplier<BalancerStats> balancer;
    private final long start;
    private final Consumer<Histogram> intervals;
    private final List<TimelineEntry> timeline = new ArrayList<>();
    private Histogram interval;
    private long lastOk;
    private long lastErrors;
    private long lastTick;
    private Map<String, Long> lastAnswered;
    private boolean ended;

    /**
     * @param intervals given each interval histogram (nanoseconds, with the recorder's start and end
     *                  timestamps) as it is taken; it must not keep it (the histogram is recycled)
     */
    ProgressPrinter(PrintWriter out, Recorder recorder, LongAdder mismatched, Map<String, LongAdder> errors,
                    Histogram total, Supplier<BalancerStats> balancer, long start, Consumer<Histogram> intervals) {
        this.out = out;
        this.recorder = recorder;
        this.mismatched = mismatched;
        this.errors = errors;
        this.total = total;
        this.balancer = balancer;
        this.start = start;
        this.intervals = intervals;
        this.lastTick = start;
        this.lastAnswered = answered();
    }

    synchronized void tick() {
        if (ended) { // a tick that was waiting while the window ended
            return;
        }
        long now = System.nanoTime();
        TimelineEntry entry = record(now);
        if (out != null) {
            out.printf("[%5.1fs] %,10.0f req/s   p50 %s   p99 %s   errors %d   mismatched %d%n",
                    (now - start) / 1e9, entry.rps(),
                    LoadReport.formatMicros(interval.getValueAtPercentile(50) / 1000.0),
                    LoadReport.formatMicros(interval.getValueAtPercentile(99) / 1000.0),
                    lastErrors, mismatched.sum());
            out.flush();
        }
    }

    /** Takes what was recorded since the last tick into the total and the timeline (end of the window). */
    synchronized void absorbRemaining() {
        // Always a last entry, however short: the report's request count is the timeline's sum
        // (requestsCounted), so completions racing with the end of the window count in both or neither.
        record(System.nanoTime());
        ended = true;
    }

    /** Requests counted into the timeline so far (after {@link #absorbRemaining()}: the report's total). */
    synchronized long requestsCounted() {
        return lastOk;
    }

    /** The entries so far, oldest first. */
    synchronized List<TimelineEntry> timeline() {
        return List.copyOf(timeline);
    }

    private TimelineEntry record(long now) {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        intervals.accept(interval);
        long okNow = lastOk + interval.getTotalCount();
        long errorsNow = errors.values().stream().mapToLong(LongAdder::sum).sum();
        Map<String, Long> answeredNow = answered();
        Map<String, Long> answeredDelta = new LinkedHashMap<>();
        answeredNow.forEach((k, v) -> answeredDelta.put(k, v - lastAnswered.getOrDefault(k, 0L)));
        TimelineEntry entry = new TimelineEntry((now - start) / 1_000_000, (now - lastTick) / 1_000_000,
                okNow - lastOk, errorsNow - lastErrors, answeredDelta);
        timeline.add(entry);
        lastOk = okNow;
        lastErrors = errorsNow;
        lastTick = now;
        lastAnswered = answeredNow;
        return entry;
    }

    private Map<String, Long> answered() {
        Map<String, Long> byTarget = new LinkedHashMap<>();
        for (EndpointStats s : balancer.get().endpoints()) {
            byTarget.put(s.address().toString(), s.successes());
        }
        return byTarget;
    }
}
