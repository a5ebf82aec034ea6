package dev.netkit.core.balance;

import dev.netkit.core.error.NoEndpointsException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Prefers endpoints in the local zone while it has the capacity, as Envoy's zone-aware routing
 * with priority levels does. With h = healthy local endpoints / local members, a share
 * min(1, h × {@value #OVERPROVISIONING_FACTOR}) of picks stays local and the rest spill to a
 * picker over the healthy endpoints of all other zones: a zone with 5 of 7 members healthy
 * keeps everything (5/7 × 1.4 = 1), one with 1 of 2 keeps 70 %. With no healthy local endpoint
 * every pick goes remote; with no remote endpoint every pick stays local.
 *
 * <p>Overload spill: when the local pick has at least {@code overloadThreshold} requests
 * outstanding (0 disables it) and a remote pick has fewer, the remote one is used.
 *
 * <p>Unlike Envoy, the remote share is not divided between zones by their spare capacity: one
 * picker of the inner strategy covers all remote endpoints. Immutable; picks are thread-safe,
 * lock-free and allocation-free.
 */
public final class ZoneAwarePicker implements Picker {
    /** Envoy's overprovisioning factor: a zone at 1/1.4 of its members healthy still takes all its traffic. */
    public static final double OVERPROVISIONING_FACTOR = 1.4;

    /** Decorrelates the local-or-remote decision from the key the inner picker hashes. */
    private static final long DECISION_SEED = 0x7A6F6E65L; // "zone"
    private static final long ALL = 1L << 53;

    private final List<EndpointState> list;
    private final Picker local;
    private final Picker remote;
    /** A draw stays local when its top 53 bits are below this: localShare × 2^53. */
    private final long localThreshold;
    private final int overloadThreshold;

    private ZoneAwarePicker(List<EndpointState> list, Picker local, Picker remote, long localThreshold,
                            int overloadThreshold) {
        this.list = list;
        this.local = local;
        this.remote = remote;
        this.localThreshold = localThreshold;
        this.overloadThreshold = overloadThreshold;
    }

    /**
     * A zone-aware picker with default options and no overload spill.
     *
     * @see #create(String, List, int, Strategy, PickerOptions, int)
     */
    public static ZoneAwarePicker create(String localZone, List<EndpointState> healthy, int localMembers, Strategy inner) {
        return create(localZone, healthy, localMembers, inner, PickerOptions.defaults(), 0);
    }

    /**
     * A zone-aware picker.
     *
     * @param localZone         this client's zone (compared with {@link WeightedEndpoint#zone()})
     * @param healthy           the healthy endpoints of every zone
     * @param localMembers      the endpoints in the local zone, healthy or not (at least the
     *                          healthy local ones)
     * @param inner             how to pick within the local endpoints and within the remote ones
     * @param options           options for {@code inner}
     * @param overloadThreshold outstanding requests at which a local pick may spill to a less
     *                          loaded remote one; 0 disables overload spill
     * @throws NoEndpointsException     when {@code healthy} is empty
     * @throws IllegalArgumentException when {@code localMembers} is below the healthy local
     *                                  endpoints or {@code overloadThreshold} is negative
     */
    public static ZoneAwarePicker create(String localZone, List<EndpointState> healthy, int localMembers, Strategy inner,
                                         PickerOptions options, int overloadThreshold) {
        Objects.requireNonNull(localZone, "localZone");
        Objects.requireNonNull(inner, "inner");
        Objects.requireNonNull(options, "options");
        if (overloadThreshold < 0) {
            throw new IllegalArgumentException("overloadThreshold: " + overloadThreshold + " (expected: >= 0; 0 disables it)");
        }
        List<EndpointState> all = List.copyOf(healthy);
        if (all.isEmpty()) {
            throw new NoEndpointsException("no healthy endpoints in any zone (local zone '" + localZone + "')");
        }
        List<EndpointState> localHealthy = new ArrayList<>();
        List<EndpointState> remoteHealthy = new ArrayList<>();
        for (EndpointState e : all) {
            (e.endpoint().zone().equals(localZone) ? localHealthy : remoteHealthy).add(e);
        }
        if (localMembers < localHealthy.size()) {
            throw new IllegalArgumentException("localMembers: " + localMembers + " (expected: >= the "
                    + localHealthy.size() + " healthy endpoints in zone '" + localZone + "')");
        }
        Picker local = localHealthy.isEmpty() ? null : inner.picker(localHealthy, options);
        Picker remote = remoteHealthy.isEmpty() ? null : inner.picker(remoteHealthy, options);
        long threshold;
        if (local == null) {
            threshold = 0;
        } else if (remote == null) {
            threshold = ALL;
        } else if (14L * localHealthy.size() >= 10L * localMembers) {
            threshold = ALL; // h × 1.4 >= 1, decided in integers: 1.4 × 5 / 7 is not exactly 1 in doubles
        } else {
            threshold = (long) Math.scalb(OVERPROVISIONING_FACTOR * localHealthy.size() / localMembers, 53);
        }
        return new ZoneAwarePicker(all, local, remote, threshold, overloadThreshold);
    }

    @Override
    public EndpointState pick() {
        return route(ThreadLocalRandom.current().nextLong(), false, 0);
    }

    /**
     * Picks with the key in both the local-or-remote decision and the inner picker, so a key
     * sticks to one endpoint while membership, health and load are unchanged.
     */
    @Override
    public EndpointState pick(long key) {
        // Not the key itself: the inner hash picker maps the key's bits to endpoints, and keys
        // selected by their top bits would cover only part of its ring or table.
        return route(XxHash64.hashLong(key, DECISION_SEED), true, key);
    }

    private EndpointState route(long draw, boolean keyed, long key) {
        if (!staysLocal(draw)) {
            return keyed ? remote.pick(key) : remote.pick();
        }
        EndpointState chosen = keyed ? local.pick(key) : local.pick();
        if (overloadThreshold > 0 && remote != null) {
            int load = chosen.outstanding();
            if (load >= overloadThreshold) {
                EndpointState other = keyed ? remote.pick(key) : remote.pick();
                if (other.outstanding() < load) {
                    return other;
                }
            }
        }
        return chosen;
    }

    /** Whether a uniformly random 64-bit draw keeps the pick in the local zone. */
    boolean staysLocal(long draw) {
        return (draw >>> 11) < localThreshold;
    }

    /** The share of picks that stay in the local zone, before overload spill: 0..1. */
    public double localShare() {
        return Math.scalb((double) localThreshold, -53);
    }

    /** Every healthy endpoint, local and remote, in the order given. */
    @Override
    public List<EndpointState> endpoints() {
        return list;
    }
}
