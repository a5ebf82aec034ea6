package dev.netkit.core.error;

/** The connection pool was closed; no connection can be leased from it. */
public class PoolClosedException extends ClosedException {
    /** Creates the exception with a message naming the pool. */
    public PoolClosedException(String message) {
        super(ErrorKind.POOL_CLOSED, message);
    }
}
