package dev.netkit.cli.load;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One interval of a load run's timeline, normally one second of the measured window.
 *
 * @param endMillis when it ended, in milliseconds since the measured window started
 * @param millis    its length (about 1000; the last one may be shorter)
 * @param requests  requests verified in it
 * @param errors    requests failed in it
 * @param answered  responses per target ({@code host:port}) in it, as the balancer counted them
 */
public record TimelineEntry(long endMillis, long millis, long requests, long errors, Map<String, Long> answered) {
    /** Immutable copy of the map. */
    public TimelineEntry {
        answered = Collections.unmodifiableMap(new LinkedHashMap<>(answered)); // target order kept
    }

    /** Verified requests per second over the interval. */
    public double rps() {
        return millis <= 0 ? 0 : requests * 1000.0 / millis;
    }
}
