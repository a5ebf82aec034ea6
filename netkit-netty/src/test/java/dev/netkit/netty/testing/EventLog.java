package dev.netkit.netty.testing;

import dev.netkit.core.event.EventListener;
import dev.netkit.core.event.NetkitEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An {@link EventListener} that keeps every event it is given, for tests to look through. */
public final class EventLog implements EventListener {
    private final List<NetkitEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(NetkitEvent event) {
        events.add(event);
    }

    /** The events of type {@code type} so far, in delivery order. */
    public <T extends NetkitEvent> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Every event so far. */
    public List<NetkitEvent> all() {
        return List.copyOf(events);
    }
}
