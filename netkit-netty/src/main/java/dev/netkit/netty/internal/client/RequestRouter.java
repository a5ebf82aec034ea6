package dev.netkit.netty.internal.client;

import dev.netkit.core.balance.EndpointState;
import dev.netkit.core.balance.LoadBalancer;
import dev.netkit.core.balance.Outcome;
import dev.netkit.core.error.ClosedException;
import dev.netkit.core.error.ConnectionLostException;
import dev.netkit.core.error.NoEndpointsException;
import dev.netkit.core.error.PoolClosedException;
import dev.netkit.core.error.ProtocolViolationException;
import dev.netkit.core.error.QueueFullException;
import dev.netkit.core.error.RequestTimeoutException;
import dev.netkit.core.pool.ConnectionPool;
import dev.netkit.core.pool.Lease;
import dev.netkit.core.retry.RetryBudget;
import dev.netkit.core.retry.RetryDecision;
import dev.netkit.core.retry.RetryPolicy;
import dev.netkit.core.time.Scheduler;
import dev.netkit.core.error.ErrorKind;
import dev.netkit.core.error.NetkitException;
import dev.netkit.netty.client.RequestObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The broker's request path: picks an endpoint from the {@link LoadBalancer}, takes a lease on a
 * connection of that endpoint's pool (at once, or waiting within the deadline), submits, and
 * reports each attempt's outcome back to the balancer.
 *
 * <p><b>Retries.</b> A failed attempt is sent again, to a different endpoint, when the
 * {@link RetryPolicy} allows it: attempts left, a retryable kind of failure (by default a lost or
 * refused connection, or a removed endpoint), safe (never written, or marked idempotent), a token
 * from the shared {@link RetryBudget} (so a brown-out cannot multiply the load), and enough
 * deadline left for the backoff. The caller's future is the first attempt; it completes when the
 * last attempt does.
 */
public final class RequestRouter implements AttemptObserver {
    private static final Logger log = LoggerFactory.getLogger(RequestRouter.class);

    private final LoadBalancer balancer;
    private final BrokerCounters counters;
    private final BooleanSupplier closing;
    private final RetryPolicy retryPolicy;
    private final RetryBudget retryBudget;
    private final Scheduler scheduler;
    private final RequestObserver observer; // null: nobody observes
    /** Retries waiting out their backoff: in no pool yet, but in flight for the caller (and for close's drain). */
    private final AtomicInteger inBackoff = new AtomicInteger();

    /**
     * @param closing whether the broker is closing (a pool closed then means the broker closed,
     *                not that the endpoint was removed)
     */
    public RequestRouter(LoadBalancer balancer, BrokerCounters counters, BooleanSupplier closing,
                         RetryPolicy retryPolicy, RetryBudget retryBudget, Scheduler scheduler, RequestObserver observer) {
        this.balancer = balancer;
        this.counters = counters;
        this.closing = closing;
        this.retryPolicy = retryPolicy;
        this.retryBudget = retryBudget;
        this.scheduler = scheduler;
        this.observer = observer;
    }

    /** Sends a new request; the returned future is the caller's. */
    public CompletableFuture<byte[]> send(byte[] payload, long startNanos, long deadlineNanos, boolean idempotent,
                                          boolean keyed, long key, int qosClass) {
        EndpointState target;
        try {
            target = keyed ? balancer.pick(key) : balancer.pick();
        } catch (NoEndpointsException e) {
            return CompletableFuture.failedFuture(e);
        }
        PendingRequest request = new PendingRequest(payload, deadlineNanos, this, null, target, startNanos, 1, idempotent);
        request.qosClass = qosClass;
        retryBudget.recordRequest(startNanos); // the budget runs on the system ticker too
        dispatch(request);
        return request;
    }

    /** Sends {@code request} on a connection of its target's pool. */
    void dispatch(PendingRequest request) {
        if (request.isDone()) {
            return; // a retry cancelled during its backoff
        }
        if (request.callerDone()) {
            request.cancel(false); // the caller completed its future meanwhile: release the pick unsent
            return;
        }
        @SuppressWarnings("unchecked")
        ConnectionPool<BrokerConnection> pool = (ConnectionPool<BrokerConnection>) request.target.attachment();
        Lease<BrokerConnection> lease = pool.tryAcquire(); // fast path: a connection with room right now
        if (lease != null) {
            request.attach(lease);
            lease.connection().submit(request);
            return;
        }
        long remaining = request.deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            fail(request, new RequestTimeoutException("deadline passed before a connection to " + pool.endpoint() + " was free"));
            return;
        }
        CompletableFuture<Lease<BrokerConnection>> acquire = pool.acquire(Duration.ofNanos(remaining), request.qosClass);
        request.awaiting(acquire);
        acquire.whenComplete((acquired, error) -> {
            if (error != null) {
                fail(request, error);
            } else if (request.isDone()) {
                acquired.release(); // cancelled while waiting
            } else {
                request.leasedAfterWaiting(System.nanoTime());
                request.attach(acquired);
                acquired.connection().submit(request);
            }
        });
    }

    private void fail(PendingRequest request, Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof QueueFullException) {
            counters.rejected.increment();
        } else if (cause instanceof RequestTimeoutException) {
            counters.timeouts.increment(); // the deadline ended while waiting for a connection
        } else if (cause instanceof ConnectionLostException) {
            counters.connectionFailures.increment(); // its connection never opened
        }
        if (cause instanceof PoolClosedException && closing.getAsBoolean()) {
            cause = new ClosedException("broker closed before a connection to send the request on was available");
        }
        request.fail(cause);
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** Retries scheduled and not yet dispatched. */
    public int inBackoff() {
        return inBackoff.get();
    }

    @Override
    public void succeeded(PendingRequest attempt, long nowNanos) {
        // The balancer runs on the system ticker, so the connection's reading serves it too.
        balancer.finished(attempt.target, nowNanos - attempt.serviceStartNanos(), Outcome.SUCCESS, nowNanos);
        if (observer != null) {
            tell(attempt, nowNanos - attempt.startNanos, null, false);
        }
    }

    private void tell(PendingRequest attempt, long latencyNanos, ErrorKind failure, boolean retried) {
        try {
            observer.attemptFinished(attempt.target.endpoint().address(), Math.max(0, latencyNanos), failure, retried);
        } catch (RuntimeException e) {
            log.warn("request observer failed; ignored", e);
        }
    }

    private static ErrorKind kindOf(Throwable cause) {
        return cause instanceof NetkitException e ? e.kind() : ErrorKind.CONNECTION_LOST;
    }

    @Override
    public boolean failed(PendingRequest attempt, Throwable error) {
        Throwable cause = unwrap(error);
        long now = System.nanoTime();
        boolean retried = retryOrNot(attempt, cause, now);
        if (observer != null) {
            tell(attempt, now - attempt.startNanos, kindOf(cause), retried);
        }
        return retried;
    }

    /** Reports the failed attempt to the balancer, and sends a retry if the policy allows it. */
    private boolean retryOrNot(PendingRequest attempt, Throwable cause, long now) {
        balancer.finished(attempt.target, now - attempt.serviceStartNanos(), outcomeOf(attempt, cause), now);
        if (retryPolicy.maxAttempts() <= attempt.attempt || !retryPolicy.isRetryable(cause) || closing.getAsBoolean()
                || attempt.callerDone()) {
            return false; // the common refusals, decided before spending anything
        }
        long backoff = retryPolicy.backoffNanos(attempt.attempt, ThreadLocalRandom.current());
        if (attempt.deadlineNanos - (now + backoff) < retryPolicy.backoffBase().toNanos()) {
            return false; // too little time left for a retry to have a chance: it would only time out
        }
        if (!RetryPolicy.isSafe(attempt.wasWritten(), attempt.idempotent)) {
            return false; // it may have been processed: only an idempotent request may go twice
        }
        EndpointState next = balancer.pickOther(attempt.target); // before the budget: no token spent for nothing
        if (next == null) {
            return false; // no other endpoint to try
        }
        if (retryPolicy.decide(attempt.attempt, attempt.wasWritten(), attempt.idempotent, cause, retryBudget) != RetryDecision.RETRY) {
            balancer.finished(next, 0, Outcome.NOT_COUNTED); // out of budget: give the pick back
            return false;
        }
        PendingRequest root = attempt.root();
        PendingRequest retry = new PendingRequest(attempt.payload, attempt.deadlineNanos, this, root, next, now + backoff,
                attempt.attempt + 1, attempt.idempotent);
        retry.qosClass = attempt.qosClass;
        root.retriedBy(retry);
        counters.retries.increment();
        inBackoff.incrementAndGet();
        scheduler.schedule(() -> {
            try {
                dispatch(retry);
            } finally {
                inBackoff.decrementAndGet(); // after dispatch: the retry now counts in its pool, or is done
            }
        }, backoff);
        return true;
    }

    @Override
    public void cancelled(PendingRequest attempt) {
        balancer.finished(attempt.target, 0, Outcome.NOT_COUNTED);
        // Not told to the observer: the caller gave up; nothing ended at the endpoint.
    }

    /**
     * What a failure says about the endpoint: refused or lost connections, protocol violations and
     * timeouts on the wire count against it; local refusals (queue full, closing, a removed
     * endpoint's pool), caller errors, and a deadline that ran out while the request waited for
     * one of this client's own connections (it never reached the endpoint) do not.
     */
    static Outcome outcomeOf(PendingRequest attempt, Throwable cause) {
        if (cause instanceof RequestTimeoutException) {
            return attempt.lease == null ? Outcome.NOT_COUNTED : Outcome.FAILURE;
        }
        if (cause instanceof ConnectionLostException || cause instanceof ProtocolViolationException) {
            return Outcome.FAILURE;
        }
        return Outcome.NOT_COUNTED;
    }
}
