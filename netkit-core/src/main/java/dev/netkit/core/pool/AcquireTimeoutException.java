package dev.netkit.core.pool;

import dev.netkit.core.error.RequestTimeoutException;

/** No connection became available within the acquire timeout. */
public final class AcquireTimeoutException extends RequestTimeoutException {
    private final transient PoolStats stats;

    /** Creates the exception; the message quotes the pool's state. */
    public AcquireTimeoutException(String message, PoolStats stats) {
        super(message + " [" + stats.summary() + "]");
        this.stats = stats;
    }

    /** The pool's state when the acquire timed out. */
    public PoolStats stats() {
        return stats;
    }
}
