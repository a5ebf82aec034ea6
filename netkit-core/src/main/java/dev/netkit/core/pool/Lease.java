package dev.netkit.core.pool;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.time.Scheduler;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One checkout of a pooled connection. End it exactly once, with {@link #release()} (the
 * connection goes back to the pool) or {@link #invalidate()} (it is closed instead, for example
 * after an I/O error). Ending a lease twice throws {@link IllegalStateException}: a second release
 * would otherwise return a connection someone else may have leased meanwhile.
 *
 * @param <C> the connection type
 */
public final class Lease<C> {
    private static final VarHandle ENDED;

    static {
        try {
            ENDED = MethodHandles.lookup().findVarHandle(Lease.class, "ended", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final LeaseBag<C> bag;
    final PoolEntry<C> entry;
    /** Whether this was the connection's first lease (for the reuse counter). */
    final boolean first;
    private volatile int ended;
    /** Only with leak detection on: where the lease was taken, and the pending leak report. */
    Throwable acquiredAt;
    Scheduler.Cancellable leakCheck;

    Lease(LeaseBag<C> bag, PoolEntry<C> entry, boolean first) {
        this.bag = bag;
        this.entry = entry;
        this.first = first;
    }

    /** The leased connection. Do not use it after ending the lease. */
    public C connection() {
        return entry.connection;
    }

    /** The endpoint the connection goes to. */
    public Endpoint endpoint() {
        return bag.endpoint;
    }

    /** Returns the connection to the pool. */
    public void release() {
        end(false);
    }

    /** Closes the connection instead of returning it (reason {@link CloseReason#ERROR}). */
    public void invalidate() {
        end(true);
    }

    /** Whether the lease was released or invalidated. */
    public boolean isEnded() {
        return ended != 0;
    }

    private void end(boolean invalidate) {
        if (!ENDED.compareAndSet(this, 0, 1)) {
            throw new IllegalStateException("lease of " + entry + " to " + bag.endpoint
                    + " was already released or invalidated; a lease ends exactly once");
        }
        if (leakCheck != null) {
            leakCheck.cancel();
        }
        bag.endLease(entry, invalidate);
    }

    void reportLeakIfHeld() {
        if (ended == 0) {
            bag.leakSuspected(this);
        }
    }

    @Override
    public String toString() {
        return "Lease[" + entry + " to " + bag.endpoint + (ended != 0 ? ", ended" : "") + "]";
    }
}
