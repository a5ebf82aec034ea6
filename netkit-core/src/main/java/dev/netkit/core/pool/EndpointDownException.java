package dev.netkit.core.pool;

import dev.netkit.core.error.ConnectionLostException;

/**
 * The endpoint is known to be down: the last dial failed, the pool is backing off before the next,
 * and no connection is open. Acquirers get this at once instead of waiting out their timeout; the
 * cause is the dial error.
 */
public final class EndpointDownException extends ConnectionLostException {
    private final transient PoolStats stats;

    /** Creates the exception; the message quotes the pool's state. */
    public EndpointDownException(String message, Throwable dialError, PoolStats stats) {
        super(message + " [" + stats.summary() + "]", dialError);
        this.stats = stats;
    }

    /** The pool's state when the acquire failed. */
    public PoolStats stats() {
        return stats;
    }
}
