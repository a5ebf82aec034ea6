package dev.netkit.core.balance;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.time.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Turns the members' service state into the data plane's next {@link DataPlane.Snapshot}: sets
 * effective weights (slow start), chooses the endpoints in service (or all of them, in panic),
 * builds the strategy's picker (zone-aware with a local zone) and publishes it with one volatile
 * write. Every method runs under the {@link Membership} lock.
 */
final class SnapshotPublisher {
    private final Map<Endpoint, Member> members; // the Membership's, guarded by its lock
    private final SlowStart slowStart;
    private final BalancerConfig config;
    private final BalancerListener listener;
    private final Ticker ticker;
    private final DataPlane data;
    private final LongAdder panicsTotal = new LongAdder();
    private boolean panic; // guarded by lock

    SnapshotPublisher(Map<Endpoint, Member> members, SlowStart slowStart, BalancerConfig config, BalancerListener listener,
            Ticker ticker, DataPlane data) {
        this.members = members;
        this.slowStart = slowStart;
        this.config = config;
        this.listener = listener;
        this.ticker = ticker;
        this.data = data;
    }

    /** Whether the last snapshot was built in panic. */
    boolean panicLocked() {
        return panic;
    }

    long panicsTotal() {
        return panicsTotal.sum();
    }

    /** Sets effective weights, chooses the endpoints in service (or all, in panic) and publishes a new picker. */
    void rebuildLocked(List<Runnable> events) {
        long now = ticker.nanoTime();
        List<EndpointState> inService = new ArrayList<>();
        List<EndpointState> all = new ArrayList<>();
        for (Member member : members.values()) {
            member.state.effectiveWeight(slowStart.weightLocked(member, now));
            if (member.drained) {
                continue; // an operator's choice: neither picked (not even in panic) nor counted for panic
            }
            all.add(member.state);
            if (member.inService()) {
                inService.add(member.state);
            }
        }
        boolean panicNow = !all.isEmpty() && inService.size() < config.panicThreshold() * all.size();
        if (panicNow != panic) {
            panic = panicNow;
            if (panicNow) {
                panicsTotal.increment();
            }
            int up = inService.size();
            int total = all.size();
            events.add(() -> listener.panicChanged(panicNow, up, total));
        }
        List<EndpointState> chosen = panicNow ? all : inService;
        data.publish(chosen.isEmpty()
                ? new DataPlane.Snapshot(null, false, all.isEmpty() ? emptyReason() : describeOutOfService())
                : new DataPlane.Snapshot(newPicker(chosen), panicNow, ""));
    }

    private Picker newPicker(List<EndpointState> chosen) {
        String zone = config.localZone();
        if (zone.isEmpty()) {
            return config.strategy().picker(chosen, config.pickerOptions());
        }
        int localMembers = 0;
        for (Member m : members.values()) {
            localMembers += zone.equals(m.state.endpoint().zone()) ? 1 : 0;
        }
        return ZoneAwarePicker.create(zone, chosen, localMembers, config.strategy(), config.pickerOptions(),
                config.zoneOverloadThreshold());
    }

    private String emptyReason() {
        return members.isEmpty() ? "every endpoint was removed" : "all " + members.size() + " endpoints are drained";
    }

    private String describeOutOfService() {
        int ejected = 0;
        int unhealthy = 0;
        int breakerOpen = 0;
        for (Member m : members.values()) {
            ejected += m.ejected ? 1 : 0;
            unhealthy += m.activeHealthy ? 0 : 1;
            breakerOpen += m.breakerOpen ? 1 : 0;
        }
        return "all " + members.size() + " endpoints are out of service (ejected " + ejected + ", unhealthy " + unhealthy
                + ", breaker open " + breakerOpen + ") and the panic threshold is " + config.panicThreshold();
    }
}
