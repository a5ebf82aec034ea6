package dev.netkit.core.pool;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.qos.QosPolicy;
import dev.netkit.core.error.NetkitException;
import dev.netkit.core.error.PoolClosedException;
import dev.netkit.core.internal.Checks;
import dev.netkit.core.time.Scheduler;
import dev.netkit.core.time.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/*
 * The facade: public API, lifecycle (start, close) and stats. The work is done by the parts it
 * composes, and they reach each other through its final fields; see package-info.java for how
 * they fit, which thread owns what, and why it is safe.
 */
/**
 * A pool of connections to one endpoint: bounded, asynchronous, self-healing and observable.
 *
 * <pre>{@code
 * ConnectionPool<MyConn> pool = ConnectionPool.builder(endpoint, connector)
 *         .config(PoolConfig.builder().minIdle(2).maxTotal(16).build())
 *         .build();
 * pool.acquire().thenAccept(lease -> {
 *     try { use(lease.connection()); lease.release(); }
 *     catch (IOException e) { lease.invalidate(); }
 * });
 * }</pre>
 *
 * <p><b>Sizing.</b> At most {@link PoolConfig#maxTotal()} connections are open or being opened.
 * Each carries up to {@link PoolConfig#maxLeasesPerConnection()} leases at once: with 1, a lease is
 * an exclusive checkout; with more, leases go to the least-loaded connection and a new connection
 * is opened only when all are at their limit. {@link PoolConfig#minIdle()} connections with spare
 * capacity are kept open even when unused.
 *
 * <p><b>Acquiring.</b> {@link #acquire()} completes at once when a connection is free; otherwise
 * the caller waits (opening a connection if the pool may grow) up to the acquire timeout. Beyond
 * {@link PoolConfig#maxPending()} waiters, acquires fail at once with
 * {@link PoolExhaustedException}; a timeout fails with {@link AcquireTimeoutException}; while the
 * endpoint is known down and nothing is open, with {@link EndpointDownException}. Each carries a
 * {@link PoolStats} snapshot. Cancelling the returned future withdraws the waiter.
 *
 * <p><b>Health.</b> A cheap {@link Connector#isUsable} check on every lease; connections the peer
 * closed leave the pool as soon as the connector reports it; an optional {@link Validator} checks
 * idle connections in the background, a few at a time; idle timeout above min idle; max lifetime
 * with per-connection jitter. Failed dials back off exponentially with jitter.
 *
 * <p><b>Threads.</b> Thread-safe. Futures may complete on the thread that released a connection,
 * on the connector's thread, or on the scheduler's thread: keep callbacks short and never block
 * in them (hand-offs queued on that thread wait until the callback returns).
 *
 * @param <C> the connection type
 */
public final class ConnectionPool<C> implements AutoCloseable {
    // What every part shares. Assigned first: the parts copy them in their constructors.
    final Endpoint endpoint;
    final PoolConfig config;
    final Connector<C> connector;
    final Ticker ticker;
    final Scheduler scheduler;
    final PoolCounters counters = new PoolCounters();
    final ReentrantLock lock = new ReentrantLock();
    final PoolNotifier events;
    private final QosPolicy qos; // null: FIFO

    // The parts. They call one another only after construction (from start() on).
    final LeaseBag<C> bag;
    final WaiterQueue<C> waiters;
    final DialBackoff<C> backoff;
    final Dialer<C> dialer;
    final Retirement<C> retirement;
    final WarmUps<C> warmUps;
    private final Maintenance<C> maintenance;

    private ConnectionPool(Builder<C> b) {
        this.endpoint = b.endpoint;
        this.config = b.config;
        this.connector = b.connector;
        this.ticker = b.ticker;
        this.scheduler = b.scheduler;
        this.events = new PoolNotifier(endpoint, b.listener, config.leakDetectionThreshold());
        this.qos = b.qos;
        this.bag = new LeaseBag<>(this);
        this.waiters = new WaiterQueue<>(this, bag, b.qos);
        this.backoff = new DialBackoff<>(this);
        this.dialer = new Dialer<>(this, bag, backoff);
        this.retirement = new Retirement<>(this, bag);
        this.warmUps = new WarmUps<>(this, bag);
        this.maintenance = new Maintenance<>(this, bag, backoff, b.validator);
    }

    /** Starts building a pool for {@code endpoint} that opens connections with {@code connector}. */
    public static <C> Builder<C> builder(Endpoint endpoint, Connector<C> connector) {
        return new Builder<>(endpoint, connector);
    }

    private void start() {
        maintenance.start();
        kick(); // prewarm min idle
    }

    /** Where this pool connects. */
    public Endpoint endpoint() {
        return endpoint;
    }

    /** The configuration this pool was built with. */
    public PoolConfig config() {
        return config;
    }

    /** Leases outstanding now (background validations excluded). Cheap: no lock. */
    public int inFlight() {
        return bag.inFlight();
    }

    /**
     * Whether the endpoint is known down: the last dial failed, the backoff before the next is
     * still running, and no connection is open or being opened. Acquires then fail fast.
     */
    public boolean isDown() {
        return dialer.isDown();
    }

    /** Acquirers waiting now. Cheap: no lock. */
    public int pending() {
        return bag.waitingCount;
    }

    // ---- acquiring and releasing ------------------------------------------------------------

    /**
     * A lease on a connection that is free right now, or {@code null}. Never waits and never
     * opens a connection; returns {@code null} once the pool is closed.
     */
    public Lease<C> tryAcquire() {
        return bag.tryAcquire();
    }

    /** Acquires with the configured {@link PoolConfig#acquireTimeout()}. */
    public CompletableFuture<Lease<C>> acquire() {
        return waiters.acquire(config.acquireTimeout().toNanos(), 0);
    }

    /**
     * Acquires a lease, waiting up to {@code timeout} for one. Never throws: failures come back
     * through the future. Cancelling the future withdraws the request; if it already completed,
     * the lease is the caller's to release.
     */
    public CompletableFuture<Lease<C>> acquire(Duration timeout) {
        return waiters.acquire(Checks.positive("timeout", timeout).toNanos(), 0);
    }

    /**
     * As {@link #acquire(Duration)}, waiting in class {@code qosClass} (an index into the pool's
     * {@link Builder#qos QosPolicy}, from {@link QosPolicy#indexOf}): while connections are
     * saturated, waiters are served by class (strict priority, then weighted deficit round robin).
     * A class at its capacity refuses at once with {@link PoolExhaustedException} naming it.
     *
     * @throws IllegalArgumentException if the pool has no such class
     */
    public CompletableFuture<Lease<C>> acquire(Duration timeout, int qosClass) {
        int classes = qos == null ? 1 : qos.classes().size();
        if (qosClass < 0 || qosClass >= classes) {
            throw new IllegalArgumentException("qosClass: " + qosClass + " (expected: 0.." + (classes - 1)
                    + (qos == null ? "; this pool has no qos policy" : " for " + qos.classes()) + ")");
        }
        return waiters.acquire(Checks.positive("timeout", timeout).toNanos(), qosClass);
    }

    /** The classes of service of the waiting line, or null when waiters are served in arrival order. */
    public QosPolicy qos() {
        return qos;
    }

    /**
     * Acquires, blocking the calling thread up to {@code timeout}. Do not call on a thread that
     * must release connections (an I/O thread).
     *
     * @throws NetkitException  as described for {@link #acquire(Duration)}
     * @throws CancellationException when interrupted (the interrupt flag is kept)
     */
    public Lease<C> acquireBlocking(Duration timeout) {
        Lease<C> lease = tryAcquire();
        if (lease != null) {
            return lease;
        }
        CompletableFuture<Lease<C>> future = acquire(timeout);
        try {
            return future.get();
        } catch (InterruptedException e) {
            if (!future.cancel(false) && !future.isCompletedExceptionally()) {
                future.join().release(); // handed over just before the cancel: give it back
            }
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while acquiring a connection to " + endpoint);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Releases {@code lease}, checking that it came from this pool.
     *
     * @throws IllegalArgumentException if the lease belongs to another pool
     * @throws IllegalStateException    if it was already released or invalidated
     */
    public void release(Lease<C> lease) {
        requireOwn(lease).release();
    }

    /** Invalidates {@code lease} (closes its connection), checking that it came from this pool. */
    public void invalidate(Lease<C> lease) {
        requireOwn(lease).invalidate();
    }

    private Lease<C> requireOwn(Lease<C> lease) {
        Objects.requireNonNull(lease, "lease");
        if (lease.bag != bag) {
            throw new IllegalArgumentException("lease " + lease + " belongs to another pool (for " + lease.bag.endpoint
                    + "), not to this pool for " + endpoint + "; nothing was released");
        }
        return lease;
    }

    // ---- dialing, retiring, closing ------------------------------------------------------------

    /**
     * Ends the dial backoff now, when something outside the pool (a passing health check, a
     * balancer returning the endpoint to service) says the endpoint is reachable again: the next
     * acquire dials at once instead of failing fast until the backoff would have ended. If that
     * dial fails too, the backoff resumes where it was (one step longer), so a wrong signal costs
     * one dial. Harmless when the endpoint is not known down.
     */
    public void resetBackoff() {
        dialer.resetBackoff();
    }

    /** Runs the waiter and dial logic once, for example after time passed. */
    void kick() {
        waiters.dispatch();
    }

    /**
     * Retires every connection (NodePass's {@code Flush}): idle ones close now, leased ones when
     * released; min idle is then refilled with new connections.
     */
    public void evictAll() {
        for (PoolEntry<C> e : bag.entries()) {
            retirement.retire(e, CloseReason.EVICTED, false);
        }
        kick();
    }

    /**
     * Closes the pool. Idempotent. Waiters fail with {@link PoolClosedException}, idle connections
     * close now, leased ones when their lease ends, and later acquires fail.
     */
    @Override
    public void close() {
        List<Waiter<C>> failed;
        Outbox<C> out = new Outbox<>();
        lock.lock();
        try {
            if (bag.isClosed()) {
                return;
            }
            bag.markClosedLocked();
            maintenance.stopLocked();
            failed = waiters.drainLocked();
            warmUps.completeLocked(closedException(), out);
        } finally {
            lock.unlock();
        }
        out.carryOut(this);
        PoolClosedException reason = closedException();
        for (Waiter<C> w : failed) {
            w.future.completeExceptionally(reason);
        }
        for (PoolEntry<C> e : bag.entries()) {
            retirement.retire(e, CloseReason.POOL_CLOSED, false);
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return bag.isClosed();
    }

    PoolClosedException closedException() {
        return new PoolClosedException("pool for " + endpoint + " is closed");
    }

    /**
     * Completes when {@link PoolConfig#minIdle()} connections are open (at once if they are), or
     * fails with the dial error when the endpoint turns out to be down.
     */
    public CompletableFuture<Void> warmUp() {
        return warmUps.warmUp();
    }

    // ---- stats ------------------------------------------------------------------------------

    /** A snapshot of the pool's state and counters. */
    public PoolStats stats() {
        lock.lock();
        try {
            return statsLocked();
        } finally {
            lock.unlock();
        }
    }

    PoolStats statsLocked() {
        return counters.snapshot(endpoint, bag.entries(), waiters.sizeLocked(), dialer.dialing(), waiters.classesLocked());
    }

    @Override
    public String toString() {
        return "ConnectionPool[" + endpoint + ", " + stats().summary() + "]";
    }

    /**
     * Builds a {@link ConnectionPool}; {@link #build()} starts it (prewarming min idle).
     *
     * @param <C> the connection type
     */
    public static final class Builder<C> {
        private final Endpoint endpoint;
        private final Connector<C> connector;
        private PoolConfig config = PoolConfig.builder().build();
        private Validator<C> validator;
        private PoolListener listener = PoolListener.NONE;
        private Ticker ticker = Ticker.system();
        private Scheduler scheduler = Scheduler.shared();
        private QosPolicy qos;

        private Builder(Endpoint endpoint, Connector<C> connector) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            this.connector = Objects.requireNonNull(connector, "connector");
        }

        /** The configuration; default {@code PoolConfig.builder().build()}. */
        public Builder<C> config(PoolConfig value) { config = Objects.requireNonNull(value, "config"); return this; }

        /** A background validator; default none. */
        public Builder<C> validator(Validator<C> value) { validator = value; return this; }

        /** A listener for metrics; default none. */
        public Builder<C> listener(PoolListener value) { listener = Objects.requireNonNull(value, "listener"); return this; }

        /** The clock and timer; default the system clock and {@link Scheduler#shared()}. */
        public Builder<C> time(Ticker ticker, Scheduler scheduler) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Classes of service for the waiting line (see {@link ConnectionPool#acquire(Duration, int)});
         * default none: waiters are served in arrival order, as without this option. Each class's
         * capacity bounds its waiters, within {@link PoolConfig#maxPending()} for all of them.
         */
        public Builder<C> qos(QosPolicy value) { qos = value; return this; }

        /** Builds and starts the pool. */
        public ConnectionPool<C> build() {
            ConnectionPool<C> pool = new ConnectionPool<>(this);
            pool.start();
            return pool;
        }
    }
}
