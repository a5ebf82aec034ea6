package dev.netkit.cli.load;

import java.util.Map;

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
 * @param connectionsOpened connections the broker opened during the whole run (connect, warm-up
 *                      and window): equal to the configured count when none was lost
 * @param reuseRate     share of requests over the whole run sent on an already used pooled
 *                      connection
 * @param validations   background validations of pooled connections during the run
 */
public record LoadResult(
        long requests,
        long errors,
        Map<String, Long> errorsByKind,
        long mismatched,
        double seconds,
        Latency latencyMicros,
        long connectionsOpened,
        double reuseRate,
        long validations) {

    /** Successful requests per second over the measured window. */
    public double throughput() {
        return seconds <= 0 ? 0 : requests / seconds;
    }

    /** Latency percentiles in microseconds. */
    public record Latency(double p50, double p90, double p99, double p999, double max) {}
}
