package dev.netkit.netty.internal.client;

import java.util.concurrent.CompletableFuture;

/**
 * One request and the future its caller holds. It is in exactly one place at a time: a
 * connection's submission queue, or its in-flight map; whichever removes it from there completes
 * it and returns the connection's in-flight permit. Completion itself is exactly-once because
 * {@link CompletableFuture} completes only once.
 */
public final class PendingRequest extends CompletableFuture<byte[]> {
    final byte[] payload;
    final long deadlineNanos;
    /** Set once, before the request becomes visible to the event loop. */
    BrokerConnection connection;
    /** Event-loop only: the correlation id, valid when {@link #written}. */
    int id;
    /** Event-loop only: the frame was written and the request entered the in-flight map. */
    boolean written;

    public PendingRequest(byte[] payload, long deadlineNanos) {
        this.payload = payload;
        this.deadlineNanos = deadlineNanos;
    }

    /** Cancelling frees the request's in-flight slot at once; a late response is discarded. */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled && connection != null) {
            connection.abandon(this);
        }
        return cancelled;
    }
}
