package dev.netkit.netty.internal.server;

import dev.netkit.core.internal.BoundedCounter;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

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
    /** Set by the first park of an episode of saturation, cleared when nobody is parked any more. */
    private final AtomicBoolean saturated = new AtomicBoolean();

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

    /**
     * Runs {@code wakeUp} (on any thread) once a permit may be free again.
     *
     * @return whether this park began an episode of saturation (no connection was parked before):
     *         the moment to report the limit, once rather than per paused connection
     */
    public boolean park(Runnable wakeUp) {
        boolean first = saturated.compareAndSet(false, true);
        parked.add(wakeUp);
        // A release that ran between the failed tryAcquire and add() found nobody to wake.
        wakeNext();
        return first;
    }

    /** Wakes one parked connection if a permit is free; a woken one that takes nothing calls this again. */
    public void wakeNext() {
        while (permits.inUse() < permits.limit()) {
            Runnable r = parked.poll();
            if (r == null) {
                if (saturated.get()) { // a read, not a write, on the common path of every release
                    saturated.set(false);
                }
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

    public int limit() {
        return permits.limit();
    }

    public int inUse() {
        return permits.inUse();
    }
}
