package dev.netkit.netty.internal.server;

import dev.netkit.core.internal.BoundedCounter;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Server-wide bound on requests in flight. A connection that cannot get a permit parks a wake-up
 * callback here and stops reading its socket. Each release wakes one parked connection, in
 * arrival order; a woken connection that does not take the permit (closed, nothing left to
 * start) passes the wake-up on with {@link #wakeNext()}. Waking one instead of all keeps the cost
 * of a release constant when many connections wait, which is exactly under overload. Thread-safe.
 */
public final class ConcurrencyLimiter {
    private final BoundedCounter permits;
    private final Queue<Runnable> parked = new ConcurrentLinkedQueue<>();

    public ConcurrencyLimiter(int limit) {
        this.permits = new BoundedCounter(limit);
    }

    /** Takes a permit if one is free. */
    public boolean tryAcquire() {
        return permits.tryAcquire();
    }

    /** Returns a permit and wakes the longest-parked connection. */
    public void release() {
        permits.release();
        wakeNext();
    }

    /** Runs {@code wakeUp} (on any thread) once a permit may be free again. */
    public void park(Runnable wakeUp) {
        parked.add(wakeUp);
        // A release that ran between the failed tryAcquire and add() found nobody to wake.
        wakeNext();
    }

    /** Wakes one parked connection if a permit is free; a woken one that takes nothing calls this again. */
    public void wakeNext() {
        while (permits.inUse() < permits.limit()) {
            Runnable r = parked.poll();
            if (r == null) {
                return;
            }
            try {
                r.run();
                return;
            } catch (RuntimeException e) {
                // that connection's event loop is gone (server stopping): wake the next one instead
            }
        }
    }

    public int inUse() {
        return permits.inUse();
    }
}
