package dev.netkit.core.event;

/**
 * Receives the events of an {@link EventBus}, one at a time, in publication order per publishing
 * thread, on the bus's own thread. It may be slow (it only delays the listeners of its bus) but
 * should not block for long, since events that arrive meanwhile are dropped once the bus's queue
 * is full. What it throws is logged (rate-limited) and counted; the other listeners still get the
 * event.
 */
@FunctionalInterface
public interface EventListener {
    /** An event happened. */
    void onEvent(NetkitEvent event);
}
