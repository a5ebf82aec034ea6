package dev.netkit.netty.internal.server;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Server-wide bound on requests in flight. A connection that cannot get a permit parks a resume
 * callback here and stops reading its socket; the next release runs the callbacks. Thread-safe.
 */
public final class ConcurrencyLimiter {
    private final int limit;
    private final AtomicInteger inUse = new AtomicInteger();
    private final Queue<Runnable> parked = new ConcurrentLinkedQueue<>();

    public ConcurrencyLimiter(int limit) {
        this.limit = limit;
    }

    /** Takes a permit if one is free. */
    public boolean tryAcquire() {
        for (;;) {
            int n = inUse.get();
            if (n >= limit) {
                return false;
            }
            if (inUse.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Returns a permit and wakes the parked connections. */
    public void release() {
        inUse.decrementAndGet();
        if (!parked.isEmpty()) {
            wakeParked();
        }
    }

    /** Runs {@code resume} (on any thread) once a permit may be free again. */
    public void park(Runnable resume) {
        parked.add(resume);
        // Re-check after parking: a release that ran between the failed tryAcquire and add()
        // saw an empty queue, and nobody else would wake us.
        if (inUse.get() < limit) {
            wakeParked();
        }
    }

    public int inUse() {
        return inUse.get();
    }

    public int limit() {
        return limit;
    }

    private void wakeParked() {
        Runnable r;
        while ((r = parked.poll()) != null) {
            r.run();
        }
    }
}
