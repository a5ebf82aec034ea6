package dev.netkit.netty.internal.event;

import dev.netkit.core.event.EventBus;
import dev.netkit.core.event.NetkitEvent;
import dev.netkit.core.jfr.NetkitJfr;

/**
 * Where a component's events go: JFR (for the types that have a twin, whenever a recording wants
 * them) and an optional {@link EventBus}. The emit sites create an event only when
 * {@link #wanted} says someone takes it, so events without a JFR twin cost one null check (no
 * bus) or one volatile read (a bus without listeners).
 */
public final class Emitter {
    private final EventBus bus; // null: none

    public Emitter(EventBus bus) {
        this.bus = bus;
    }

    /** Whether a bus listener takes events of {@code type}. */
    public boolean wanted(Class<? extends NetkitEvent> type) {
        return bus != null && bus.wants(type);
    }

    /** Whether a bus listener takes per-request events. */
    public boolean requestsWanted() {
        return bus != null && bus.wantsRequests();
    }

    /** For events with a JFR twin (rare ones): to JFR, and to the bus if it listens. */
    public void rare(NetkitEvent event) {
        NetkitJfr.commit(event);
        bus(event);
    }

    /** To the bus only; the caller checked {@link #wanted} or {@link #requestsWanted()}. */
    public void bus(NetkitEvent event) {
        if (bus != null) {
            bus.publish(event);
        }
    }
}
