package dev.netkit.gateway.internal.anet;

import dev.netkit.netty.fleet.FleetStats;
import java.util.LinkedHashMap;
import java.util.Map;

/** A fleet limit's counters as the admin's {@code /stats} shows them, for a route's limit or a listener's. */
public final class FleetStatsMap {
    private FleetStatsMap() {}

    /** {@code fleet_round_trips}, {@code fleet_tokens_fetched}, {@code fleet_fallback_admitted}, … in a fixed order. */
    public static Map<String, Object> of(FleetStats f) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("fleet_round_trips", f.roundTrips());
        s.put("fleet_tokens_fetched", f.tokensFetched());
        s.put("fleet_fallback_admitted", f.fallbackAdmitted());
        s.put("fleet_fallback_episodes", f.fallbackEpisodes());
        s.put("fleet_failures", f.failures());
        s.put("fleet_degraded", f.degraded());
        s.put("fleet_members", f.members());
        return s;
    }
}
