package dev.netkit.core.pool;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.NetkitException;

/**
 * Hooks for metrics and logging. Every method has an empty default; the pool calls them on
 * whatever thread the event happens (an I/O thread, the timer thread, a caller), so they must be
 * fast and must not block. An exception thrown by a listener is logged and ignored.
 */
public interface PoolListener {
    /** A listener that does nothing. */
    PoolListener NONE = new PoolListener() {};

    /** A connection was opened and joined the pool. */
    default void connectionOpened(Endpoint endpoint) {}

    /** A connection left the pool and was closed. */
    default void connectionClosed(Endpoint endpoint, CloseReason reason) {}

    /** Opening a connection failed (or exceeded the dial timeout). */
    default void dialFailed(Endpoint endpoint, Throwable cause) {}

    /** An acquire was refused or timed out; the exception carries the pool's state. */
    default void acquireFailed(Endpoint endpoint, NetkitException failure) {}

    /** A lease was held longer than the leak detection threshold. */
    default void leakSuspected(Endpoint endpoint, Throwable acquiredAt) {}
}
