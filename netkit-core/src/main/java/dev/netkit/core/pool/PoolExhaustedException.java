package dev.netkit.core.pool;

import dev.netkit.core.error.QueueFullException;

/** An acquire was refused at once: {@link PoolConfig#maxPending()} acquirers were already waiting. */
public final class PoolExhaustedException extends QueueFullException {
    private final transient PoolStats stats;

    /** Creates the exception; the message quotes the pool's state. */
    public PoolExhaustedException(String message, PoolStats stats) {
        super(message + " [" + stats.summary() + "]");
        this.stats = stats;
    }

    /** The pool's state when the acquire was refused. */
    public PoolStats stats() {
        return stats;
    }
}
