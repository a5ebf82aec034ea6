package dev.netkit.cli.demo;

import dev.netkit.cli.load.BalancerEvent;
import dev.netkit.core.endpoint.Endpoint;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * One backend's failover as the gateway saw it: the demo's {@code killed} and {@code restarted}
 * marks and the gateway balancer's events for that backend (ejected, unhealthy, returned,
 * healthy...), each placed after the kill or the restart that preceded it.
 *
 * @param victim      the backend killed and restarted
 * @param originNanos {@link System#nanoTime()} of the measured window's start (times are printed from it)
 * @param events      every event of the run, oldest first (other endpoints' are ignored)
 */
public record FailoverTimeline(Endpoint victim, long originNanos, List<BalancerEvent> events) {
    /** Copies the events. */
    public FailoverTimeline {
        events = List.copyOf(events);
    }

    private List<BalancerEvent> victimEvents() {
        return events.stream().filter(e -> victim.equals(e.endpoint())).toList();
    }

    /** When the demo killed the backend ({@code nanoTime}), if it did. */
    public OptionalLong killedAt() {
        return first("killed");
    }

    /** When the backend listened again ({@code nanoTime}), if it did. */
    public OptionalLong restartedAt() {
        return first("restarted");
    }

    private OptionalLong first(String type) {
        return victimEvents().stream().filter(e -> e.type().equals(type)).mapToLong(BalancerEvent::nanoTime).findFirst();
    }

    /**
     * When the gateway took the backend out of service after the kill (ejected or marked unhealthy,
     * whichever came first), if it did.
     */
    public OptionalLong outOfServiceAt() {
        OptionalLong killed = killedAt();
        if (killed.isEmpty()) {
            return OptionalLong.empty();
        }
        return victimEvents().stream()
                .filter(e -> e.nanoTime() >= killed.getAsLong() && (e.type().equals("ejected") || e.type().equals("unhealthy")))
                .mapToLong(BalancerEvent::nanoTime).findFirst();
    }

    /**
     * When the backend was in service again after its restart: the first event after which the
     * gateway had it neither ejected nor unhealthy; empty if that did not happen (yet).
     */
    public OptionalLong backInServiceAt() {
        OptionalLong restarted = restartedAt();
        if (restarted.isEmpty()) {
            return OptionalLong.empty();
        }
        boolean ejected = false;
        boolean unhealthy = false;
        for (BalancerEvent e : victimEvents()) {
            switch (e.type()) {
                case "ejected" -> ejected = true;
                case "returned" -> ejected = false;
                case "unhealthy" -> unhealthy = true;
                case "healthy" -> unhealthy = false;
                default -> { }
            }
            if (e.nanoTime() >= restarted.getAsLong() && !ejected && !unhealthy) {
                return OptionalLong.of(e.nanoTime());
            }
        }
        return OptionalLong.empty();
    }

    /** The timeline, one line per event of the backend, then when it was back in service. */
    public void print(PrintWriter out, String name) {
        out.printf(Locale.ROOT, "failover     %s (%s) as the gateway saw it; times since the measured window started%n", name, victim);
        long killed = killedAt().orElse(Long.MAX_VALUE);
        long restarted = restartedAt().orElse(Long.MAX_VALUE);
        for (BalancerEvent e : victimEvents()) {
            out.printf(Locale.ROOT, "%13s%+7d ms  %-10s %s%n", "", millis(e.nanoTime() - originNanos), e.type(),
                    relative(e, killed, restarted));
        }
        OptionalLong back = backInServiceAt();
        if (back.isPresent()) {
            out.printf(Locale.ROOT, "%13sback in service %d ms after the restart%n", "", millis(back.getAsLong() - restarted));
        } else if (restarted != Long.MAX_VALUE) {
            out.printf(Locale.ROOT, "%13snot back in service by the end of the run%n", "");
        }
    }

    private static String relative(BalancerEvent e, long killed, long restarted) {
        String type = e.type();
        if (type.equals("killed") || type.equals("restarted")) {
            return e.detail();
        }
        if (e.nanoTime() >= restarted) {
            return millis(e.nanoTime() - restarted) + " ms after the restart: " + e.detail();
        }
        if (e.nanoTime() >= killed) {
            return millis(e.nanoTime() - killed) + " ms after the kill: " + e.detail();
        }
        return e.detail();
    }

    private static long millis(long nanos) {
        return Math.floorDiv(nanos, 1_000_000L);
    }
}
