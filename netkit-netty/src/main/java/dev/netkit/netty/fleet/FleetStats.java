package dev.netkit.netty.fleet;

import java.util.Map;

/**
 * A snapshot of one {@link FleetBucket}.
 *
 * @param admitted          requests admitted (with fleet tokens or, in fallback, the local share)
 * @param rejected          requests refused
 * @param roundTrips        script calls sent to Redis (each takes a batch of tokens)
 * @param tokensFetched     tokens Redis granted
 * @param fallbackAdmitted  requests admitted by the local share while Redis could not be used
 * @param fallbackEpisodes  times the bucket fell back to its local share (each logged once)
 * @param failures          Redis failures by reason: {@code connect}, {@code timeout},
 *                          {@code bad_reply}, {@code error_reply}, {@code connection_lost}
 * @param degraded          whether it is in fallback now
 * @param members           the member count it divides the rate by in fallback (the last one
 *                          Redis reported, or the configured one)
 */
public record FleetStats(long admitted, long rejected, long roundTrips, long tokensFetched, long fallbackAdmitted,
                         long fallbackEpisodes, Map<String, Long> failures, boolean degraded, int members) {
    /** Copies the failures. */
    public FleetStats {
        failures = Map.copyOf(failures);
    }
}
