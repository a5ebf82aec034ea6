package dev.netkit.core.pool;

import dev.netkit.core.endpoint.Endpoint;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of one pool: its connections right now and its counters since it was created. Taken
 * without stopping the pool, so the fields are each exact but may be a moment apart.
 *
 * @param endpoint       where the pool connects
 * @param total          connections open (in service, being validated, or retiring)
 * @param idle           open connections with no lease
 * @param leased         open connections with at least one lease
 * @param inFlight       leases outstanding across all connections
 * @param pending        acquirers waiting
 * @param dialing        connections being opened
 * @param validating     connections out for background validation
 * @param created        connections opened since the start
 * @param closedByReason connections closed since the start, by reason
 * @param dialFailures   failed dials (refused, timed out, closed before ready)
 * @param acquired       leases handed out
 * @param reused         leases served by a connection that had been leased before
 * @param rejected       acquires refused because {@code maxPending} acquirers were waiting
 * @param timedOut       acquires that waited out their timeout
 * @param failedFast     acquires failed because the endpoint was down: at once, or when the dial
 *                       they waited for failed with nothing else open
 * @param validations    background validations completed (passed or failed)
 * @param acquireWait    how long acquires waited, immediate ones included
 * @param classes        with classes of service ({@code PoolConfig.qos}), each class's waiters now
 *                       and its acquires refused (class full, or {@code maxPending} reached) since
 *                       the start, in the policy's order; empty without classes
 */
public record PoolStats(
        Endpoint endpoint,
        int total,
        int idle,
        int leased,
        int inFlight,
        int pending,
        int dialing,
        int validating,
        long created,
        Map<CloseReason, Long> closedByReason,
        long dialFailures,
        long acquired,
        long reused,
        long rejected,
        long timedOut,
        long failedFast,
        long validations,
        AcquireWait acquireWait,
        List<ClassWaiters> classes) {

    /** Copies the collections. */
    public PoolStats {
        closedByReason = Map.copyOf(closedByReason);
        classes = List.copyOf(classes);
    }

    /** Connections closed since the start, all reasons. */
    public long closed() {
        return closedByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Connections closed for {@code reason}. */
    public long closed(CloseReason reason) {
        return closedByReason.getOrDefault(reason, 0L);
    }

    /** Share of leases served by an already used connection, 0 when nothing was acquired yet. */
    public double reuseRate() {
        return acquired == 0 ? 0.0 : (double) reused / acquired;
    }

    /** The state in one line, as exceptions quote it: {@code total=8 leased=8 idle=0 waiting=23 dialing=0}. */
    public String summary() {
        return "total=" + total + " leased=" + leased + " idle=" + idle + " waiting=" + pending + " dialing=" + dialing
                + " in_flight=" + inFlight;
    }

    @Override
    public String toString() {
        return "pool " + endpoint + ": " + summary() + " created=" + created + " closed=" + closed()
                + " dial_failures=" + dialFailures + " reuse_rate=" + String.format("%.4f", reuseRate());
    }

    /**
     * Acquire wait times in nanoseconds.
     *
     * @param count  acquires measured
     * @param p50    median
     * @param p99    99th percentile
     * @param max    longest
     */
    public record AcquireWait(long count, long p50, long p99, long max) {}

    /**
     * One class of service of the waiting line.
     *
     * @param name    the class
     * @param waiting its acquirers waiting now
     * @param refused its acquires refused since the start (its capacity, or the pool's
     *                {@code maxPending}, was reached)
     */
    public record ClassWaiters(String name, int waiting, long refused) {}
}
