package dev.netkit.netty.internal.server;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import dev.netkit.core.internal.BoundedCounter;

/**
 * Server-wide bound on requests in flight. A connection that cannot get a permit parks a resume
 * callback here and stops reading its socket; the next release runs the callbacks. Thread-safe.
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

    /** Returns a permit and wakes the parked connections. */
    public void release() {
        permits.release();
        if (!parked.isEmpty()) {
            wakeParked();
        }
    }

    /** Runs {@code resume} (on any thread) once a permit may be free again. */
    public void park(Runnable resume) {
        parked.add(resume);
        // Re-check after parking: a release that ran between the failed tryAcquire and add()
        // saw an empty queue, and nobody else would wake us.
        if (permits.inUse() < permits.limit()) {
            wakeParked();
        }
    }

    public int inUse() {
        return permits.inUse();
    }

    private void wakeParked() {
        Runnable r;
        while ((r = parked.poll()) != null) {
            r.run();
        }
    }
}
