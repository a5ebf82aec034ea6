package dev.netkit.core.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/*
 * One pooled connection and its single-owner state machine, kept in one int:
 *
 *   leases >= 0   open; that many leases are out (0 = idle). Leasing is a CAS n -> n + 1 below the
 *                 pool's per-connection limit; releasing is a decrement.
 *   CLOSED        taken out for good by a CAS 0 -> CLOSED, so only an idle connection can be closed
 *                 this way and nobody can lease it afterwards.
 *
 * `retiring` says "no new leases" (lifetime reached, evicted, invalidated, peer closed, pool
 * closed). Whoever sees retiring with zero leases (the retirer, or the last releaser) closes it; a
 * leaser re-checks retiring after its CAS and backs out. Both sides write then read volatiles, so
 * at least one of them sees the other. `closed` makes the final close happen exactly once, also for
 * a connection closed at once (peer gone) while leases are still out.
 */
/** A pooled connection and its lease state. Internal to the pool. */
final class PoolEntry<C> {
    static final int CLOSED = Integer.MIN_VALUE;
    private static final VarHandle LEASES;
    private static final VarHandle FINISHED;
    private static final VarHandle TOUCHED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            LEASES = l.findVarHandle(PoolEntry.class, "leases", int.class);
            FINISHED = l.findVarHandle(PoolEntry.class, "finished", int.class);
            TOUCHED = l.findVarHandle(PoolEntry.class, "touched", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final C connection;
    final long id;
    final long createdAt;
    /** Creation plus the jittered lifetime; meaningful only when a lifetime is configured. */
    final long expiresAt;
    private volatile int leases;
    private volatile int finished;
    volatile boolean retiring;
    volatile CloseReason retireReason;
    volatile boolean validating;
    /** Set (opaquely, no fence) on every lease; the maintenance pass turns it into lastUsedAt. */
    @SuppressWarnings("unused")
    private boolean touched;
    /** Whether a lease was ever handed out; racy on purpose, it only feeds the reuse counter. */
    boolean leasedBefore;
    // maintenance thread only
    long lastUsedAt;
    long lastValidatedAt;

    PoolEntry(C connection, long id, long createdAt, long expiresAt) {
        this.connection = connection;
        this.id = id;
        this.createdAt = createdAt;
        this.expiresAt = expiresAt;
        this.lastUsedAt = createdAt;
        this.lastValidatedAt = createdAt;
    }

    int leases() {
        return leases;
    }

    /** Takes a lease if exactly {@code expected} are out; fails on CLOSED. */
    boolean tryLease(int expected) {
        return expected >= 0 && LEASES.compareAndSet(this, expected, expected + 1);
    }

    /**
     * Whether this connection counts toward min idle: it can take one more lease, not counting a
     * validation's claim (brief; replacing the connection for it would open one too many).
     */
    boolean hasRoom(int maxLeases) {
        int n = leases;
        if (validating && n > 0) {
            n--;
        }
        return n >= 0 && n < maxLeases;
    }

    /** Returns one lease; the count after. */
    int release() {
        return (int) LEASES.getAndAdd(this, -1) - 1;
    }

    /** Closes an idle connection to new leases for good. */
    boolean tryCloseIdle() {
        return LEASES.compareAndSet(this, 0, CLOSED);
    }

    boolean isClosed() {
        return leases == CLOSED || finished != 0;
    }

    /** True exactly once: for whoever performs the final close. */
    boolean markFinished() {
        return FINISHED.compareAndSet(this, 0, 1);
    }

    void retire(CloseReason reason) {
        if (retireReason == null) {
            retireReason = reason; // first reason wins; a benign race between two retirers
        }
        retiring = true;
    }

    void touch() {
        TOUCHED.setOpaque(this, true);
    }

    /** Clears and returns the touched flag. */
    boolean takeTouched() {
        return (boolean) TOUCHED.getAndSet(this, false);
    }

    @Override
    public String toString() {
        return "connection#" + id + "(leases=" + (leases == CLOSED ? "closed" : leases) + (retiring ? ", retiring" : "") + ")";
    }
}
