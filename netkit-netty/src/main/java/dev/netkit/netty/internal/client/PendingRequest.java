package dev.netkit.netty.internal.client;

import dev.netkit.core.pool.Lease;
import java.util.concurrent.CompletableFuture;

/**
 * One request and the future its caller holds. Before it has a connection it waits for a pool
 * lease ({@link #acquisition}); then it is in exactly one place at a time: a connection's
 * submission queue, or its in-flight map; whichever removes it from there completes it and ends
 * its lease. Completion itself is exactly-once because {@link CompletableFuture} completes only
 * once.
 */
public final class PendingRequest extends CompletableFuture<byte[]> {
    final byte[] payload;
    final long deadlineNanos;
    private final boolean ping;
    /** The pool lease this request holds on its connection; set before {@link #connection}. */
    Lease<BrokerConnection> lease;
    /** Set once, when the request is submitted to its connection. */
    volatile BrokerConnection connection;
    /** The pending pool acquire, while the request waits for a connection. */
    volatile CompletableFuture<?> acquisition;
    /** Event-loop only: the correlation id, valid when {@link #written}. */
    int id;
    /** Event-loop only: the frame was written and the request entered the in-flight map. */
    boolean written;

    public PendingRequest(byte[] payload, long deadlineNanos) {
        this(payload, deadlineNanos, false);
    }

    private PendingRequest(byte[] payload, long deadlineNanos, boolean ping) {
        this.payload = payload;
        this.deadlineNanos = deadlineNanos;
        this.ping = ping;
    }

    /** A validation ping: holds no lease of its own and is not counted as a request. */
    boolean isPing() {
        return ping;
    }

    /** A validation ping, sent on a connection the pool has claimed for validation. */
    public static PendingRequest ping(byte[] payload, long deadlineNanos) {
        return new PendingRequest(payload, deadlineNanos, true);
    }

    /** Binds the lease; the request is then submitted to {@code lease.connection()}. */
    public void attach(Lease<BrokerConnection> lease) {
        this.lease = lease;
    }

    /** Waits for a connection through {@code acquire}; cancelling this request cancels it. */
    public void awaiting(CompletableFuture<?> acquire) {
        this.acquisition = acquire;
    }

    /**
     * Cancelling frees the request's slot at once (or withdraws it from the pool's waiters); a late
     * response is discarded.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            BrokerConnection c = connection;
            if (c != null) {
                c.abandon(this);
            } else {
                CompletableFuture<?> a = acquisition;
                if (a != null) {
                    a.cancel(false); // a lease handed over meanwhile is released by the broker
                }
            }
        }
        return cancelled;
    }
}
