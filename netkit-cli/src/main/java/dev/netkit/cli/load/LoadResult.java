package dev.netkit.cli.load;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The outcome of a load run's measured window.
 *
 * @param requests      responses received and verified (payload equal to what was sent)
 * @param errors        requests that failed, all kinds together
 * @param errorsByKind  failures by {@link dev.netkit.core.error.ErrorKind} label (or exception name)
 * @param mismatched    responses whose payload differs from their request's: always 0 against a
 *                      correct server
 * @param seconds       length of the measured window
 * @param latencyMicros p50, p90, p99, p99.9 and max of successful requests, in microseconds
 * @param latencyNanos  every successful request's latency, in nanoseconds (its count is
 *                      {@code requests}); kept as a copy, handed out as one
 * @param connectionsOpened connections the broker opened during the whole run (connect, warm-up
 *                      and window): equal to the configured count when none was lost
 * @param reuseRate     share of requests over the whole run sent on an already used pooled
 *                      connection
 * @param validations   background validations of pooled connections during the run
 * @param failedMaxMicros the longest a failed request took to fail, in microseconds (0 when none
 *                      failed): with {@code latencyMicros.max()}, shows no request outlived its
 *                      deadline
 * @param startEpochMillis wall-clock time the measured window started (ms since the epoch): the
 *                      origin of the timeline and of event times
 * @param endpoints     each target's share of the window, in target order
 * @param events        the balancer's events of the whole run (warm-up ones have negative times)
 * @param eventsDropped events beyond the log's capacity, counted only
 * @param timeline      the window second by second
 */
public record LoadResult(
        long requests,
        long errors,
        Map<String, Long> errorsByKind,
        long mismatched,
        double seconds,
        Latency latencyMicros,
        Histogram latencyNanos,
        long connectionsOpened,
        double reuseRate,
        long validations,
        long retried,
        double failedMaxMicros,
        long startEpochMillis,
        List<EndpointReport> endpoints,
        List<TimedEvent> events,
        long eventsDropped,
        List<TimelineEntry> timeline) {

    /** Immutable copies. */
    public LoadResult {
        errorsByKind = Collections.unmodifiableMap(new TreeMap<>(errorsByKind)); // sorted: stable reports
        endpoints = List.copyOf(endpoints);
        events = List.copyOf(events);
        timeline = List.copyOf(timeline);
        latencyNanos = latencyNanos.copy();
    }

    /** A copy of the latency histogram (nanoseconds), for the caller to keep or change. */
    @Override
    public Histogram latencyNanos() {
        return latencyNanos.copy();
    }

    /** Successful requests per second over the measured window. */
    public double throughput() {
        return seconds <= 0 ? 0 : requests / seconds;
    }

    /** Latency percentiles in microseconds. */
    public record Latency(double p50, double p90, double p99, double p999, double max) {}

    /**
     * A balancer event placed on the run's time axis.
     *
     * @param atMillis milliseconds since the measured window started (negative: during warm-up)
     * @param event    what happened
     */
    public record TimedEvent(long atMillis, BalancerEvent event) {}
}
