package dev.netkit.core.ip;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An admitted client's hold on its per-IP connection count: {@link #release()} it when the
 * connection closes. Releasing twice is harmless (the second time does nothing). Thread-safe.
 */
public final class IpPermit implements IpDecision {
    /** The permit of a client no per-IP limit counts (releasing it does nothing). */
    static final IpPermit UNCOUNTED = new IpPermit(null, null);
    private static final VarHandle RELEASED;

    static {
        try {
            RELEASED = MethodHandles.lookup().findVarHandle(IpPermit.class, "released", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final IpAdmission owner; // null: uncounted
    private final IpKey key;
    @SuppressWarnings("unused") // through RELEASED
    private volatile boolean released;

    IpPermit(IpAdmission owner, IpKey key) {
        this.owner = owner;
        this.key = key;
    }

    /** Gives the client's connection slot back. Idempotent. */
    public void release() {
        if (owner != null && RELEASED.compareAndSet(this, false, true)) {
            owner.release(key);
        }
    }

    /** Whether a per-IP count holds this permit (false when the policy had no per-IP limit at admission). */
    public boolean counted() {
        return owner != null;
    }
}
