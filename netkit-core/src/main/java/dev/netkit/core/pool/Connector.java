package dev.netkit.core.pool;

import dev.netkit.core.endpoint.Endpoint;
import java.util.concurrent.CompletionStage;

/**
 * How a {@link ConnectionPool} opens, checks and closes connections of type {@code C}: the one
 * piece a transport binding provides (the Netty binding implements it for the broker).
 *
 * <p>Every method may be called on any thread and must not block.
 *
 * @param <C> the connection type
 */
public interface Connector<C> {
    /**
     * Starts opening a connection to {@code endpoint}. The stage completes with the connection
     * once it is ready to carry traffic, or fails with the dial error. The pool enforces its own
     * dial timeout as well and closes a connection that arrives after it.
     *
     * @param onClosed to be run once when the connection closes for any reason other than
     *                 {@link #close} (the peer closed it, an I/O error): the pool then removes
     *                 it at once instead of finding out on the next lease
     */
    CompletionStage<C> connect(Endpoint endpoint, Runnable onClosed);

    /**
     * A cheap check run on every lease, for example "the channel is active and its input is not
     * shut down". Must not do I/O.
     */
    boolean isUsable(C connection);

    /** Closes the connection; must be idempotent. */
    void close(C connection);
}
