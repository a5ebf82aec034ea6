package dev.netkit.cli.load;

import dev.netkit.core.balance.BalancerListener;
import dev.netkit.core.endpoint.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Records the balancer's events of a load run, in order, for the report (and marks from outside,
 * see {@link #mark}). Thread-safe (events
 * come from request completions and timer threads). Bounded: beyond {@code capacity} events,
 * later ones are only counted as dropped, so a flapping endpoint cannot grow memory without limit.
 */
public final class BalancerEventLog implements BalancerListener {
    /** The capacity {@code netkit load} uses. */
    public static final int DEFAULT_CAPACITY = 1000;

    private final int capacity;
    private final List<BalancerEvent> events = new ArrayList<>(); // guarded by this
    private long dropped; // guarded by this

    /** A log keeping at most {@code capacity} events. */
    public BalancerEventLog(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 0)");
        }
        this.capacity = capacity;
    }

    /** The events kept, oldest first. */
    public synchronized List<BalancerEvent> events() {
        return List.copyOf(events);
    }

    /** Events that arrived when the log was full. */
    public synchronized long dropped() {
        return dropped;
    }

    /**
     * Records an event from outside the balancer on the same time line, for example a backend the
     * demo kills ({@code killed}) or restarts ({@code restarted}).
     */
    public void mark(String type, Endpoint endpoint, String detail) {
        record(type, endpoint, detail);
    }

    private synchronized void record(String type, Endpoint endpoint, String detail) {
        if (events.size() < capacity) {
            events.add(new BalancerEvent(System.nanoTime(), type, endpoint, detail));
        } else {
            dropped++;
        }
    }

    @Override
    public void ejected(Endpoint endpoint, String reason, Duration duration) {
        record("ejected", endpoint, reason + "; for " + duration.toMillis() + " ms");
    }

    @Override
    public void ejectionSkipped(Endpoint endpoint, String reason) {
        record("ejection_skipped", endpoint, reason);
    }

    @Override
    public void returned(Endpoint endpoint, String reason) {
        record("returned", endpoint, reason);
    }

    @Override
    public void healthChanged(Endpoint endpoint, boolean healthy, String reason) {
        record(healthy ? "healthy" : "unhealthy", endpoint, reason);
    }

    @Override
    public void breakerChanged(Endpoint endpoint, String from, String to, String reason) {
        record("breaker", endpoint, from + " -> " + to + ": " + reason);
    }

    @Override
    public void panicChanged(boolean panic, int inService, int total) {
        record(panic ? "panic" : "panic_over", null, inService + " of " + total + " endpoints in service");
    }

    @Override
    public void membershipChanged(Endpoint endpoint, String change) {
        record("membership", endpoint, change);
    }
}
