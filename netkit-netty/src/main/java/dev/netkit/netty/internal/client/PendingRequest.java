package dev.netkit.netty.internal.client;

import dev.netkit.core.balance.EndpointState;
import dev.netkit.core.pool.Lease;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;

/**
 * One request and the future its caller holds. Before it has a connection it waits for a pool
 * lease ({@link #acquisition}); then it is in exactly one place at a time: a connection's
 * submission queue, or its in-flight map; whichever removes it from there completes it and ends
 * its lease. Completion itself is exactly-once because {@link CompletableFuture} completes only
 * once.
 *
 * <p><b>Attempts.</b> A request sent through a load balancer is also one <em>attempt</em>: it
 * knows its {@link #target} endpoint and tells its {@link AttemptObserver} its outcome exactly
 * once (the first of complete, fail or cancel wins a flag). When the observer decides a failure
 * is worth a retry on another endpoint, the failed attempt does not complete: a new attempt
 * carries the request on, and completes the caller's future (the first attempt, its
 * {@link #owner}) when it ends.
 */
public final class PendingRequest extends CompletableFuture<byte[]> {
    private static final VarHandle REPORTED;

    static {
        try {
            REPORTED = MethodHandles.lookup().findVarHandle(PendingRequest.class, "reported", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final byte[] payload;
    final long deadlineNanos;
    private final boolean ping;
    /** Who hears this attempt's outcome; null for pings and requests outside a balancer. */
    private final AttemptObserver observer;
    /** The caller's future when this is a retry; null for the first attempt. */
    private final PendingRequest owner;
    /** The endpoint this attempt was sent to. */
    public final EndpointState target;
    /** When this attempt was picked ({@link System#nanoTime()}). */
    public final long startNanos;
    /** 1 for the first attempt. */
    public final int attempt;
    /** The caller said the request may be sent twice. */
    public final boolean idempotent;
    /** Its class of service in the pools' waiting lines; set by the router before dispatch (retries copy it). */
    int qosClass;
    @SuppressWarnings("unused") // through REPORTED
    private volatile int reported;
    /** On the caller's future: the attempt carrying the request now, after a retry. */
    private volatile PendingRequest retry;
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
    /**
     * When the endpoint's part of this attempt began: {@link #startNanos}, or, for an attempt that
     * waited in its pool's line, when it got its lease. Set before the request is handed to its
     * connection (which publishes it to the event loop).
     */
    private long serviceStartNanos;

    public PendingRequest(byte[] payload, long deadlineNanos) {
        this(payload, deadlineNanos, false, null, null, null, 0, 1, false);
    }

    /** A request's attempt on {@code target}, reporting to {@code observer}; {@code owner} is null for the first. */
    public PendingRequest(byte[] payload, long deadlineNanos, AttemptObserver observer, PendingRequest owner,
                          EndpointState target, long startNanos, int attempt, boolean idempotent) {
        this(payload, deadlineNanos, false, observer, owner, target, startNanos, attempt, idempotent);
    }

    private PendingRequest(byte[] payload, long deadlineNanos, boolean ping, AttemptObserver observer, PendingRequest owner,
                           EndpointState target, long startNanos, int attempt, boolean idempotent) {
        this.payload = payload;
        this.deadlineNanos = deadlineNanos;
        this.ping = ping;
        this.observer = observer;
        this.owner = owner;
        this.target = target;
        this.startNanos = startNanos;
        this.serviceStartNanos = startNanos;
        this.attempt = attempt;
        this.idempotent = idempotent;
    }

    /** The caller's future: this, or the first attempt when this is a retry. */
    public PendingRequest root() {
        return owner == null ? this : owner;
    }

    /**
     * When the endpoint's part of this attempt began: its pick, or its lease when it waited in the
     * pool's line. What the balancer judges the endpoint by (latency average, slow calls): time
     * spent in that line is this client's congestion, not the endpoint's slowness, and counting it
     * would open the breaker of a healthy endpoint whenever the client queues.
     */
    public long serviceStartNanos() {
        return serviceStartNanos;
    }

    /** It waited in its pool's line and got a lease at {@code nowNanos} (only that path pays for a clock reading). */
    void leasedAfterWaiting(long nowNanos) {
        serviceStartNanos = nowNanos;
    }

    /** Whether the frame of this attempt was handed to its connection (event-loop reads, or after it failed there). */
    public boolean wasWritten() {
        return written;
    }

    private boolean claimReport() {
        return observer != null && REPORTED.compareAndSet(this, 0, 1);
    }

    /*
     * The broker completes attempts through succeed() and fail(), never through complete() or
     * completeExceptionally(): those stay the caller's (orTimeout, completeOnTimeout, complete),
     * and a caller completing its own future must neither be taken for the endpoint's outcome nor
     * start retries. The attempt then goes on, is reported when it really ends, and retries stop.
     */

    /**
     * The endpoint answered (at {@code nowNanos}, a {@link System#nanoTime()} reading): reports the
     * attempt, then completes the caller's future.
     */
    public void succeed(byte[] value, long nowNanos) {
        if (claimReport()) {
            observer.succeeded(this, nowNanos);
        }
        if (owner != null) {
            owner.deliver(value);
        }
        super.complete(value);
    }

    /**
     * The attempt failed: reports it; unless the observer sends a retry (which then completes
     * the caller's future), fails the caller's future.
     */
    public void fail(Throwable error) {
        if (claimReport() && observer.failed(this, error)) {
            return; // retried: another attempt completes the caller's future
        }
        if (owner != null) {
            owner.deliverFailure(error);
        }
        super.completeExceptionally(error);
    }

    /** Whether the caller's future is already complete (so retries are pointless). */
    public boolean callerDone() {
        return root().isDone();
    }

    private void deliver(byte[] value) {
        super.complete(value);
    }

    private void deliverFailure(Throwable error) {
        super.completeExceptionally(error);
    }

    /**
     * Records the attempt now carrying this (caller's) request; cancels it at once if the caller
     * cancelled meanwhile.
     */
    public void retriedBy(PendingRequest next) {
        retry = next;
        if (isCancelled()) {
            next.cancel(false);
        }
    }

    /** A validation ping: holds no lease of its own and is not counted as a request. */
    boolean isPing() {
        return ping;
    }

    /** A validation ping, sent on a connection the pool has claimed for validation. */
    public static PendingRequest ping(byte[] payload, long deadlineNanos) {
        return new PendingRequest(payload, deadlineNanos, true, null, null, null, 0, 1, false);
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
            if (claimReport()) {
                observer.cancelled(this);
            }
            PendingRequest next = retry;
            if (next != null) {
                next.cancel(false);
            }
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
