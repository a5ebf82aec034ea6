package dev.netkit.core.pool;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.ConnectionLostException;
import dev.netkit.core.error.NetkitException;
import dev.netkit.core.error.PoolClosedException;
import dev.netkit.core.internal.Checks;
import dev.netkit.core.time.Scheduler;
import dev.netkit.core.time.Ticker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design note.
 *
 * Fast path (no lock, no clock): a lease is a CAS on one entry's lease count, found by scanning the
 * copy-on-write `entries` array (exclusive mode: the first idle entry, so the hottest connections
 * stay hot and the rest can time out; shared mode: the least-loaded one). Release is a decrement
 * plus one volatile read of `waitingCount`.
 *
 * Slow path (under `lock`): waiters, dials, backoff, closing. A would-be waiter first raises
 * `waitingCount`, then scans again; a releaser first decrements, then reads `waitingCount`. Both
 * are volatile, so either the waiter sees the freed lease or the releaser sees the waiter and
 * dispatches to it under the lock: no lost wake-up.
 *
 * Nothing foreign runs under the lock: locked sections fill an Outbox (leases to hand to waiters,
 * waiters to fail, dials to start) that is carried out after unlocking. A handoff to a waiter that
 * was cancelled or timed out meanwhile is released again, so a lease is never lost.
 *
 * Time and timers come from the injected Ticker and Scheduler; tests drive them by hand.
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
    private static final Logger log = LoggerFactory.getLogger(ConnectionPool.class);
    @SuppressWarnings("rawtypes")
    private static final PoolEntry[] NO_ENTRIES = new PoolEntry[0];

    private final Endpoint endpoint;
    private final PoolConfig config;
    private final Connector<C> connector;
    private final Validator<C> validator;
    private final PoolListener listener;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final int maxLeases;
    private final long leakThresholdNanos;
    private final PoolCounters counters = new PoolCounters();
    private final ReentrantLock lock = new ReentrantLock();

    @SuppressWarnings("unchecked")
    private volatile PoolEntry<C>[] entries = NO_ENTRIES;
    private volatile int waitingCount;
    private volatile boolean closed;
    private volatile int dialing;
    /**
     * Validations in progress. Atomic: raised by the maintenance pass and lowered by whichever
     * thread completes a validation. (It was a volatile int raised without the lock and lowered
     * under it, so concurrent updates were lost and the count drifted: with 64 idle connections
     * and share 0.5, all 64 were validated at once.)
     */
    private final AtomicInteger validatingCount = new AtomicInteger();

    // guarded by lock
    private final ArrayDeque<Waiter<C>> waiters = new ArrayDeque<>();
    private final List<CompletableFuture<Void>> warmUps = new ArrayList<>();
    private long nextId = 1;
    private volatile int consecutiveDialFailures; // volatile: isDown() reads it without the lock
    /** Bumped by each failure that moves the backoff a step; a dial remembers it when planned. */
    private long dialFailureEpoch;
    private volatile long retryAt;
    private Throwable lastDialError;
    private volatile long lastDialFailureAt;
    private boolean kickScheduled;
    private long kickAt;
    private long refillNotBefore;
    private Scheduler.Cancellable maintenance;

    private ConnectionPool(Builder<C> b) {
        this.endpoint = b.endpoint;
        this.config = b.config;
        this.connector = b.connector;
        this.validator = b.validator;
        this.listener = b.listener;
        this.ticker = b.ticker;
        this.scheduler = b.scheduler;
        this.maxLeases = config.maxLeasesPerConnection();
        this.leakThresholdNanos = config.leakDetectionThreshold().toNanos();
        this.refillNotBefore = ticker.nanoTime();
    }

    /** Starts building a pool for {@code endpoint} that opens connections with {@code connector}. */
    public static <C> Builder<C> builder(Endpoint endpoint, Connector<C> connector) {
        return new Builder<>(endpoint, connector);
    }

    private void start() {
        lock.lock();
        try {
            maintenance = scheduler.schedule(this::maintain, config.maintenanceInterval().toNanos());
        } finally {
            lock.unlock();
        }
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
        int n = 0;
        for (PoolEntry<C> e : entries) {
            int leases = e.leases();
            if (leases > 0) {
                n += e.validating ? leases - 1 : leases;
            }
        }
        return n;
    }

    /**
     * Whether the endpoint is known down: the last dial failed, the backoff before the next is
     * still running, and no connection is open or being opened. Acquires then fail fast.
     */
    public boolean isDown() {
        return consecutiveDialFailures > 0 && ticker.nanoTime() - retryAt < 0 && entries.length == 0 && dialing == 0;
    }

    /** Acquirers waiting now. Cheap: no lock. */
    public int pending() {
        return waitingCount;
    }

    // ---- acquiring --------------------------------------------------------------------------

    /**
     * A lease on a connection that is free right now, or {@code null}. Never waits and never
     * opens a connection; returns {@code null} once the pool is closed.
     */
    public Lease<C> tryAcquire() {
        return closed ? null : leaseAvailable();
    }

    /** Acquires with the configured {@link PoolConfig#acquireTimeout()}. */
    public CompletableFuture<Lease<C>> acquire() {
        return acquire(config.acquireTimeout().toNanos());
    }

    /**
     * Acquires a lease, waiting up to {@code timeout} for one. Never throws: failures come back
     * through the future. Cancelling the future withdraws the request; if it already completed,
     * the lease is the caller's to release.
     */
    public CompletableFuture<Lease<C>> acquire(Duration timeout) {
        return acquire(Checks.positive("timeout", timeout).toNanos());
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

    private CompletableFuture<Lease<C>> acquire(long timeoutNanos) {
        Lease<C> lease = tryAcquire();
        if (lease != null) {
            return CompletableFuture.completedFuture(lease);
        }
        Waiter<C> waiter = null;
        Outbox<C> out = new Outbox<>();
        NetkitException refused;
        lock.lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(closedException());
            }
            waitingCount = waiters.size() + 1; // announce first, then look again (see design note)
            lease = leaseAvailable();
            if (lease != null) {
                waitingCount = waiters.size();
                return CompletableFuture.completedFuture(lease);
            }
            if (knownDownLocked()) {
                waitingCount = waiters.size();
                counters.failedFast.increment();
                refused = endpointDown();
            } else if (waiters.size() >= config.maxPending()) {
                waitingCount = waiters.size();
                counters.rejected.increment();
                refused = new PoolExhaustedException("pool for " + endpoint + " is exhausted: maxPending "
                        + config.maxPending() + " acquirers are already waiting", statsLocked());
            } else {
                refused = null;
                waiter = new Waiter<>(ticker.nanoTime());
                waiters.addLast(waiter);
                planDialsLocked(out);
            }
        } finally {
            lock.unlock();
        }
        if (refused != null) {
            notifyAcquireFailed(refused);
            return CompletableFuture.failedFuture(refused);
        }
        Waiter<C> w = waiter;
        w.timer = scheduler.schedule(() -> timeOut(w), timeoutNanos);
        w.future.whenComplete((l, e) -> withdraw(w));
        out.carryOut(this);
        return w.future;
    }

    /** Scans for a connection with room and leases it. No lock. */
    private Lease<C> leaseAvailable() {
        PoolEntry<C>[] es = entries;
        if (maxLeases == 1) {
            for (PoolEntry<C> e : es) {
                if (e.leases() == 0 && !e.retiring && e.tryLease(0)) {
                    Lease<C> lease = checkout(e);
                    if (lease != null) {
                        return lease;
                    }
                }
            }
            return null;
        }
        for (int attempt = 0; attempt < 8; attempt++) {
            PoolEntry<C> best = null;
            int bestLoad = maxLeases;
            for (PoolEntry<C> e : es) {
                int n = e.leases();
                if (n >= 0 && n < bestLoad && !e.retiring) {
                    best = e;
                    bestLoad = n;
                    if (n == 0) {
                        break;
                    }
                }
            }
            if (best == null) {
                return null;
            }
            if (best.tryLease(bestLoad)) {
                Lease<C> lease = checkout(best);
                if (lease != null) {
                    return lease;
                }
                es = entries;
            }
        }
        return null;
    }

    /** Completes a lease after the CAS: re-checks retirement and usability. May run under the lock. */
    private Lease<C> checkout(PoolEntry<C> e) {
        if (e.retiring) {
            backOut(e, false); // retired between the scan and the CAS
            return null;
        }
        if (!connector.isUsable(e.connection)) {
            e.retire(CloseReason.PEER_CLOSED);
            backOut(e, true);
            return null;
        }
        counters.acquired.increment();
        boolean first = !e.leasedBefore;
        if (first) {
            e.leasedBefore = true;
            counters.firstLeases.increment();
        }
        e.touch();
        Lease<C> lease = new Lease<>(this, e, first);
        if (leakThresholdNanos > 0) {
            lease.acquiredAt = new Throwable("lease of " + e + " to " + endpoint + " acquired here");
            lease.leakCheck = scheduler.schedule(lease::reportLeakIfHeld, leakThresholdNanos);
        }
        return lease;
    }

    // ---- releasing --------------------------------------------------------------------------

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
        if (lease.pool != this) {
            throw new IllegalArgumentException("lease " + lease + " belongs to another pool (for " + lease.pool.endpoint
                    + "), not to this pool for " + endpoint + "; nothing was released");
        }
        return lease;
    }

    /** Called once per lease by {@link Lease}. */
    void endLease(PoolEntry<C> e, boolean invalidate) {
        if (invalidate) {
            retire(e, CloseReason.ERROR, true);
        }
        returnLease(e);
    }

    /**
     * Undoes a lease taken by {@link #checkout} on a connection that turned out retired or dead.
     * Under the lock (a dispatch), the close is left to the scheduler so that no connector or
     * waiter code runs locked.
     */
    private void backOut(PoolEntry<C> e, boolean closeNow) {
        int left = e.release();
        boolean close = closeNow || (left == 0 && e.tryCloseIdle());
        if (close) {
            if (lock.isHeldByCurrentThread()) {
                scheduler.schedule(() -> finish(e, e.retireReason), 0);
            } else {
                finish(e, e.retireReason);
            }
        }
    }

    private void returnLease(PoolEntry<C> e) {
        int left = e.release();
        if (left == 0 && e.retiring && e.tryCloseIdle()) {
            finish(e, e.retireReason);
        }
        if (waitingCount > 0) {
            dispatch();
        }
    }

    // ---- waiters ----------------------------------------------------------------------------

    private void dispatch() {
        Outbox<C> out = new Outbox<>();
        lock.lock();
        try {
            dispatchLocked(out);
        } finally {
            lock.unlock();
        }
        out.carryOut(this);
    }

    /** Hands free leases to waiters in arrival order, then plans the dials still needed. */
    private void dispatchLocked(Outbox<C> out) {
        while (!waiters.isEmpty()) {
            Waiter<C> w = waiters.peekFirst();
            if (w.future.isDone()) {
                waiters.pollFirst();
                continue;
            }
            Lease<C> lease = leaseAvailable();
            if (lease == null) {
                break;
            }
            waiters.pollFirst();
            out.handoff(w, lease);
        }
        waitingCount = waiters.size();
        planDialsLocked(out);
    }

    private void timeOut(Waiter<C> w) {
        if (w.future.isDone()) {
            return;
        }
        // Leave the queue before failing the future, so whoever the failure wakes sees the
        // pending count without this waiter. If a dispatch already took it, its hand-off may be
        // queued behind a slow callback: the timeout still holds, and the hand-off, finding the
        // future done, passes the lease on.
        PoolStats snapshot; // as the waiter saw it: itself still counted as waiting
        lock.lock();
        try {
            snapshot = statsLocked();
            if (waiters.remove(w)) {
                waitingCount = waiters.size();
            }
        } finally {
            lock.unlock();
        }
        AcquireTimeoutException e = new AcquireTimeoutException("no connection to " + endpoint + " became available within "
                + Duration.ofNanos(ticker.nanoTime() - w.since) + " (maxTotal " + config.maxTotal()
                + ", maxLeasesPerConnection " + maxLeases + ")", snapshot);
        if (w.future.completeExceptionally(e)) {
            counters.timedOut.increment();
            notifyAcquireFailed(e);
        }
    }

    /** A waiter's future completed: if not by a handoff, take it out of the queue. */
    private void withdraw(Waiter<C> w) {
        if (w.timer != null) {
            w.timer.cancel();
        }
        lock.lock();
        try {
            if (waiters.remove(w)) {
                waitingCount = waiters.size();
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- dialing ----------------------------------------------------------------------------

    private boolean knownDownLocked() {
        return lastDialError != null && isDown();
    }

    private EndpointDownException endpointDown() {
        long waitMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(retryAt - ticker.nanoTime()));
        return new EndpointDownException(endpoint + " is down: " + consecutiveDialFailures + " dial(s) failed in a row, last: "
                + lastDialError + "; next dial in " + waitMs + " ms", lastDialError, statsLocked());
    }

    /** Decides how many dials to start now, for waiters and for min idle. */
    private void planDialsLocked(Outbox<C> out) {
        if (closed) {
            return;
        }
        long now = ticker.nanoTime();
        if (consecutiveDialFailures > 0 && now - retryAt < 0) {
            scheduleKickLocked(retryAt - now);
            return;
        }
        PoolEntry<C>[] es = entries;
        int room = Math.min(config.maxTotal() - es.length - dialing, config.maxConcurrentDials() - dialing);
        if (room <= 0) {
            return;
        }
        int spare = 0;
        int available = 0;
        for (PoolEntry<C> e : es) {
            int n = e.leases();
            if (n >= 0 && n < maxLeases && !e.retiring) {
                spare += maxLeases - n; // room for waiters now
            }
            if (!e.retiring && hasRoom(e)) {
                available++; // toward min idle
            }
        }
        int unmet = waiters.size() - spare - dialing * maxLeases;
        int forWaiters = unmet > 0 ? (unmet + maxLeases - 1) / maxLeases : 0;
        int forMinIdle = config.minIdle() - available - dialing;
        if (forMinIdle > 0 && now - refillNotBefore < 0) {
            scheduleKickLocked(refillNotBefore - now);
            forMinIdle = 0;
        }
        int n = Math.min(room, Math.max(forWaiters, forMinIdle));
        if (n > 0) {
            dialing += n;
            out.dials += n;
            out.dialEpoch = dialFailureEpoch;
        }
    }

    /**
     * Runs {@link #kick()} after {@code delayNanos}: when the dial backoff ends, or when a lost
     * connection may be replaced. One timer at a time, moved earlier when needed; a superseded
     * one still kicks, which is harmless.
     */
    private void scheduleKickLocked(long delayNanos) {
        long at = ticker.nanoTime() + delayNanos;
        if (kickScheduled && at - kickAt >= 0) {
            return;
        }
        kickScheduled = true;
        kickAt = at;
        scheduler.schedule(() -> {
            lock.lock();
            try {
                if (kickAt == at) {
                    kickScheduled = false;
                }
            } finally {
                lock.unlock();
            }
            kick();
        }, delayNanos);
    }

    /**
     * Ends the dial backoff now, when something outside the pool (a passing health check, a
     * balancer returning the endpoint to service) says the endpoint is reachable again: the next
     * acquire dials at once instead of failing fast until the backoff would have ended. If that
     * dial fails too, the backoff resumes where it was (one step longer), so a wrong signal costs
     * one dial. Harmless when the endpoint is not known down.
     */
    public void resetBackoff() {
        lock.lock();
        try {
            if (closed || consecutiveDialFailures == 0) {
                return;
            }
            long now = ticker.nanoTime();
            if (retryAt - now > 0) {
                retryAt = now;
            }
        } finally {
            lock.unlock();
        }
        kick(); // dials for min idle or waiters now, if any
    }

    /** Runs the waiter and dial logic once, for example after time passed. */
    private void kick() {
        dispatch();
    }

    /** Starts one dial (outside the lock); its slot in {@link #dialing} is already taken. */
    void startDial(long epoch) {
        Dial dial = new Dial(epoch);
        dial.timer = scheduler.schedule(() -> dialTimedOut(dial), config.dialTimeout().toNanos());
        CompletionStage<C> stage;
        try {
            stage = connector.connect(endpoint, dial::peerClosed);
        } catch (RuntimeException e) {
            dialDone(dial, null, e);
            return;
        }
        stage.whenComplete((c, error) -> dialDone(dial, c, error));
    }

    private void dialTimedOut(Dial dial) {
        if (dial.settle()) {
            dialFailed(new TimeoutException("dial to " + endpoint + " did not complete within dialTimeout "
                    + config.dialTimeout()), dial.epoch);
        }
    }

    private void dialDone(Dial dial, C connection, Throwable error) {
        if (!dial.settle()) {
            if (connection != null) {
                closeQuietly(connection); // arrived after the dial timeout: not ours any more
            }
            return;
        }
        dial.timer.cancel();
        if (error != null || connection == null) {
            dialFailed(error != null ? unwrap(error) : new IllegalStateException("connector returned no connection"),
                    dial.epoch);
            return;
        }
        boolean usable;
        try {
            usable = !dial.closedEarly && connector.isUsable(connection);
        } catch (RuntimeException e) { // a broken connector must not cost the pool its dial slot
            log.warn("connector.isUsable failed for a new connection to {}", endpoint, e);
            usable = false;
        }
        if (!usable) {
            closeQuietly(connection);
            dialFailed(new IllegalStateException("connection to " + endpoint + " closed as soon as it opened"), dial.epoch);
        } else {
            dialSucceeded(dial, connection);
        }
    }

    private void closeQuietly(C connection) {
        try {
            connector.close(connection);
        } catch (RuntimeException e) {
            log.warn("closing a connection to {} failed", endpoint, e);
        }
    }

    private void dialSucceeded(Dial dial, C connection) {
        Outbox<C> out = new Outbox<>();
        PoolEntry<C> entry = null;
        lock.lock();
        try {
            dialing--;
            if (!closed) {
                long now = ticker.nanoTime();
                entry = new PoolEntry<>(connection, nextId++, now, expiryOf(now));
                PoolEntry<C>[] es = entries;
                PoolEntry<C>[] grown = Arrays.copyOf(es, es.length + 1);
                grown[es.length] = entry;
                entries = grown;
                dial.entry = entry;
                counters.created.increment();
                completeWarmUpsLocked(null, out);
                dispatchLocked(out);
            }
        } finally {
            lock.unlock();
        }
        if (entry == null) {
            closeQuietly(connection); // the pool closed while dialing
            return;
        }
        notifyOpened();
        if (dial.closedEarly) {
            dial.reportClose(); // the peer closed it while we were registering it
        }
        out.carryOut(this);
    }

    private long expiryOf(long now) {
        long lifetime = config.maxLifetime().toNanos();
        if (lifetime == 0) {
            return Long.MAX_VALUE;
        }
        double cut = config.lifetimeJitter() * ThreadLocalRandom.current().nextDouble();
        return now + Math.round(lifetime * (1 - cut));
    }

    private void dialFailed(Throwable error, long dialEpoch) {
        Outbox<C> out = new Outbox<>();
        lock.lock();
        try {
            dialing--;
            counters.dialFailures.increment();
            recordDialFailureLocked(error, dialEpoch);
            if (entries.length == 0 && dialing == 0 && !closed) {
                // Known down and nothing open: fail every waiter now rather than at its timeout.
                EndpointDownException down = endpointDown();
                for (Waiter<C> w : waiters) {
                    out.fail(w, down);
                }
                waiters.clear();
                waitingCount = 0;
                completeWarmUpsLocked(down, out);
            } else if (!closed && dialing == 0 && openLocked() < config.minIdle()) {
                // The round of dials ended short of min idle: a warm-up must not wait for a
                // backoff that may never end.
                completeWarmUpsLocked(new ConnectionLostException("could not open min idle " + config.minIdle()
                        + " connection(s) to " + endpoint + ": " + openLocked() + " open; last dial error: " + error, error), out);
            }
            planDialsLocked(out); // schedules the retry after the backoff
        } finally {
            lock.unlock();
        }
        log.debug("dial to {} failed: {}", endpoint, error.toString());
        notifyDialFailed(error);
        out.carryOut(this);
    }

    private void recordDialFailureLocked(Throwable error, long dialEpoch) {
        lastDialError = error;
        lastDialFailureAt = ticker.nanoTime();
        if (dialEpoch != dialFailureEpoch && consecutiveDialFailures > 0) {
            // The dial was planned before the failure that set the current backoff: the same
            // outage, seen by a dial that ran alongside. (Counting each of those moved the backoff
            // one step per parallel dial: min idle 4 failing together waited 1.6^3 s instead of
            // 1 s, then 1.6^7 s after the next round.)
            return;
        }
        dialFailureEpoch++;
        consecutiveDialFailures++;
        retryAt = ticker.nanoTime() + config.dialBackoff().delay(consecutiveDialFailures, ThreadLocalRandom.current()).toNanos();
    }

    private static Throwable unwrap(Throwable t) {
        return (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) ? t.getCause() : t;
    }

    // ---- retiring and closing -----------------------------------------------------------------

    /** The connector reported that the peer closed {@code e}'s connection. */
    private void peerClosed(PoolEntry<C> e, long dialEpoch) {
        if (e.isClosed()) {
            return;
        }
        long age = ticker.nanoTime() - e.createdAt;
        if (age < config.dialBackoff().initial().toNanos() && !closed) {
            // Lost right after it opened (a server that accepts and closes at once): count it
            // as a failed dial, so re-dials back off instead of looping.
            IllegalStateException error = new IllegalStateException("connection to " + endpoint
                    + " was closed by the peer " + TimeUnit.NANOSECONDS.toMillis(age) + " ms after it opened");
            lock.lock();
            try {
                counters.dialFailures.increment();
                recordDialFailureLocked(error, dialEpoch);
            } finally {
                lock.unlock();
            }
            notifyDialFailed(error); // counted as a dial failure: tell the listener too, as its stats do
        }
        retire(e, CloseReason.PEER_CLOSED, true);
    }

    /**
     * Takes {@code e} out of service. With {@code now}, closes it at once even with leases out
     * (it is broken); otherwise it closes when idle, which may be right away.
     */
    private void retire(PoolEntry<C> e, CloseReason reason, boolean now) {
        e.retire(reason);
        if (now) {
            finish(e, reason);
        } else if (e.tryCloseIdle()) {
            finish(e, e.retireReason);
        }
    }

    /** The final close of an entry: exactly once. */
    private void finish(PoolEntry<C> e, CloseReason reason) {
        if (!e.markFinished()) {
            return;
        }
        boolean lost = reason == CloseReason.PEER_CLOSED || reason == CloseReason.ERROR || reason == CloseReason.VALIDATION;
        // Close first, then free the slot: once the entry leaves `entries` any thread may plan a
        // dial in its place. (Closing after unlocking let a new dial start while the old
        // connection was still open: maxTotal + 1 open at the connector.)
        try {
            connector.close(e.connection);
        } catch (RuntimeException ex) {
            log.warn("closing {} to {} failed", e, endpoint, ex);
        }
        Outbox<C> out = new Outbox<>();
        lock.lock();
        try {
            PoolEntry<C>[] es = entries;
            int i = Arrays.asList(es).indexOf(e);
            if (i >= 0) {
                PoolEntry<C>[] shrunk = Arrays.copyOf(es, es.length - 1);
                System.arraycopy(es, i + 1, shrunk, i, es.length - i - 1);
                entries = shrunk;
            }
            if (lost && config.redialDelayMax().toNanos() > 0) {
                // Replace lost connections after a random delay: a crowd of clients that lost the
                // same server must not all reconnect in the same instant.
                long delay = ThreadLocalRandom.current().nextLong(config.redialDelayMax().toNanos() + 1);
                refillNotBefore = Math.max(refillNotBefore - ticker.nanoTime(), delay) + ticker.nanoTime();
            }
            dispatchLocked(out);
        } finally {
            lock.unlock();
        }
        counters.closed(reason);
        notifyClosed(reason);
        out.carryOut(this);
    }

    /**
     * Retires every connection (NodePass's {@code Flush}): idle ones close now, leased ones when
     * released; min idle is then refilled with new connections.
     */
    public void evictAll() {
        for (PoolEntry<C> e : entries) {
            retire(e, CloseReason.EVICTED, false);
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
            if (closed) {
                return;
            }
            closed = true;
            if (maintenance != null) {
                maintenance.cancel();
            }
            failed = new ArrayList<>(waiters);
            waiters.clear();
            waitingCount = 0;
            completeWarmUpsLocked(closedException(), out);
        } finally {
            lock.unlock();
        }
        out.carryOut(this);
        PoolClosedException reason = closedException();
        for (Waiter<C> w : failed) {
            w.future.completeExceptionally(reason);
        }
        for (PoolEntry<C> e : entries) {
            retire(e, CloseReason.POOL_CLOSED, false);
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    private PoolClosedException closedException() {
        return new PoolClosedException("pool for " + endpoint + " is closed");
    }

    // ---- warm-up ----------------------------------------------------------------------------

    /**
     * Completes when {@link PoolConfig#minIdle()} connections are open (at once if they are), or
     * fails with the dial error when the endpoint turns out to be down.
     */
    public CompletableFuture<Void> warmUp() {
        lock.lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(closedException());
            }
            if (openLocked() >= config.minIdle()) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> f = new CompletableFuture<>();
            warmUps.add(f);
            return f;
        } finally {
            lock.unlock();
        }
    }

    private int openLocked() {
        int n = 0;
        for (PoolEntry<C> e : entries) {
            if (!e.retiring) {
                n++;
            }
        }
        return n;
    }

    /** Settles the warm-ups (after unlocking, through {@code out}) once min idle is open or on {@code failure}. */
    private void completeWarmUpsLocked(Throwable failure, Outbox<C> out) {
        if (warmUps.isEmpty() || (failure == null && openLocked() < config.minIdle())) {
            return;
        }
        out.settleWarmUps(new ArrayList<>(warmUps), failure);
        warmUps.clear();
    }

    // ---- maintenance --------------------------------------------------------------------------

    private void maintain() {
        if (closed) {
            return;
        }
        try {
            long now = ticker.nanoTime();
            PoolEntry<C>[] es = entries;
            // Count what min idle counts in planDialsLocked: connections in service with room for a
            // lease. (Counting every live connection closed idle ones while leased ones made up the
            // number, and planDialsLocked at once dialled replacements for them: churn.)
            int spare = 0;
            for (PoolEntry<C> e : es) {
                if (!e.retiring && hasRoom(e)) {
                    spare++;
                }
            }
            boolean survivor = false;
            long failedAt = lastDialFailureAt; // a benign race: read without the lock
            for (PoolEntry<C> e : es) {
                if (e.retiring) {
                    continue;
                }
                // Leases out (other than a validation's) mean in use right now, so idle time starts
                // when they end. (With only the touched flag, set when a lease starts, a lease held
                // longer than the idle timeout was closed as idle right after its release.)
                boolean touched = e.takeTouched();
                if (touched || e.leases() > (e.validating ? 1 : 0)) {
                    e.lastUsedAt = now;
                }
                if (consecutiveDialFailures > 0 && e.createdAt - failedAt > 0
                        && now - e.createdAt >= config.dialBackoff().initial().toNanos()) {
                    survivor = true; // opened after the last failure and outlived the early-death window
                }
                if (config.maxLifetime().toNanos() > 0 && now - e.expiresAt >= 0) {
                    boolean counted = hasRoom(e);
                    retire(e, CloseReason.LIFETIME, false);
                    if (counted) {
                        spare--;
                    }
                } else if (config.idleTimeout().toNanos() > 0 && spare > config.minIdle() && e.leases() == 0
                        && now - e.lastUsedAt >= config.idleTimeout().toNanos() && e.tryCloseIdle()) {
                    e.retire(CloseReason.IDLE);
                    finish(e, CloseReason.IDLE);
                    spare--;
                }
            }
            if (survivor) {
                lock.lock();
                try {
                    consecutiveDialFailures = 0; // a connection that outlived the first backoff step: healthy again
                } finally {
                    lock.unlock();
                }
            }
            if (validator != null) {
                validateSome(now);
            }
            kick();
        } catch (RuntimeException e) {
            log.warn("pool maintenance for {} failed", endpoint, e);
        } finally {
            lock.lock();
            try {
                if (!closed) {
                    maintenance = scheduler.schedule(this::maintain, config.maintenanceInterval().toNanos());
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Whether {@code e} counts toward min idle: it can take one more lease, not counting a
     * validation's claim (brief; replacing the connection for it would open one too many).
     */
    private boolean hasRoom(PoolEntry<C> e) {
        int n = e.leases();
        if (e.validating && n > 0) {
            n--;
        }
        return n >= 0 && n < maxLeases;
    }

    private void validateSome(long now) {
        PoolEntry<C>[] es = entries;
        int idle = 0;
        for (PoolEntry<C> e : es) {
            if (e.leases() == 0 && !e.retiring) {
                idle++;
            }
        }
        int quota = Math.max(1, (int) (config.validationShare() * idle)) - validatingCount.get();
        if (quota <= 0) {
            return;
        }
        long interval = config.validationInterval().toNanos();
        // Longest unvalidated first. (Scanning in pool order let the first few connections, due
        // again by the time the quota freed up, be validated over and over while the ones further
        // back were never validated.) Compared as differences from now: only those are meaningful.
        List<PoolEntry<C>> due = new ArrayList<>();
        for (PoolEntry<C> e : es) {
            if (!e.retiring && !e.validating && e.leases() == 0 && now - e.lastValidatedAt >= interval) {
                due.add(e);
            }
        }
        due.sort(Comparator.comparingLong(e -> e.lastValidatedAt - now));
        for (PoolEntry<C> e : due) {
            if (quota <= 0) {
                return;
            }
            if (e.tryLease(0)) {
                if (e.retiring) {
                    returnLease(e);
                    continue;
                }
                quota--;
                e.lastValidatedAt = now;
                e.validating = true;
                validatingCount.incrementAndGet();
                runValidation(e);
            }
        }
    }

    private void runValidation(PoolEntry<C> e) {
        AtomicBoolean settled = new AtomicBoolean();
        Scheduler.Cancellable timer = scheduler.schedule(() -> {
            if (settled.compareAndSet(false, true)) {
                validated(e, false);
            }
        }, config.validationTimeout().toNanos());
        try {
            validator.validate(e.connection).whenComplete((ok, error) -> {
                if (settled.compareAndSet(false, true)) {
                    timer.cancel();
                    validated(e, error == null && Boolean.TRUE.equals(ok));
                }
            });
        } catch (RuntimeException ex) {
            if (settled.compareAndSet(false, true)) {
                timer.cancel();
                validated(e, false);
            }
        }
    }

    private void validated(PoolEntry<C> e, boolean ok) {
        e.validating = false;
        validatingCount.decrementAndGet();
        counters.validations.increment();
        if (!ok && !closed) {
            retire(e, CloseReason.VALIDATION, true);
        }
        // After close the entry is retiring already and closes (as pool_closed) with this
        // release: a ping cut short by the shutdown is not a failed validation.
        returnLease(e);
    }

    // ---- leak detection ---------------------------------------------------------------------

    void leakSuspected(Lease<C> lease) {
        log.warn("possible connection leak: a lease of {} to {} has been held for more than {}; acquired at:",
                lease.entry, endpoint, config.leakDetectionThreshold(), lease.acquiredAt);
        tell(l -> l.leakSuspected(endpoint, lease.acquiredAt));
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

    private PoolStats statsLocked() {
        PoolEntry<C>[] es = entries;
        int idle = 0;
        int leased = 0;
        int inFlight = 0;
        int validating = 0;
        for (PoolEntry<C> e : es) {
            int n = e.leases();
            if (e.validating && n > 0) {
                validating++;
                n--;
            }
            if (n > 0) {
                leased++;
                inFlight += n;
            } else if (n == 0 && !e.validating) {
                idle++;
            }
        }
        long acquired = counters.acquired.sum();
        return new PoolStats(endpoint, es.length, idle, leased, inFlight, waiters.size(), dialing, validating,
                counters.created.sum(), counters.closedByReason(), counters.dialFailures.sum(), acquired,
                Math.max(0, acquired - counters.firstLeases.sum()), counters.rejected.sum(), counters.timedOut.sum(),
                counters.failedFast.sum(), counters.validations.sum(), counters.acquireWait());
    }

    @Override
    public String toString() {
        return "ConnectionPool[" + endpoint + ", " + stats().summary() + "]";
    }

    // ---- listener calls ---------------------------------------------------------------------

    private void notifyOpened() {
        tell(l -> l.connectionOpened(endpoint));
    }

    private void notifyClosed(CloseReason reason) {
        tell(l -> l.connectionClosed(endpoint, reason));
    }

    private void notifyDialFailed(Throwable error) {
        tell(l -> l.dialFailed(endpoint, error));
    }

    void notifyAcquireFailed(NetkitException failure) {
        tell(l -> l.acquireFailed(endpoint, failure));
    }

    /** Calls the listener; what it throws is logged, never passed on to the pool. Rare events only. */
    private void tell(java.util.function.Consumer<PoolListener> call) {
        try {
            call.accept(listener);
        } catch (RuntimeException e) {
            log.warn("pool listener failed", e);
        }
    }

    // ---- small helpers ------------------------------------------------------------------------

    /** One waiting acquirer. */
    private static final class Waiter<C> {
        final CompletableFuture<Lease<C>> future = new CompletableFuture<>();
        final long since;
        volatile Scheduler.Cancellable timer;

        Waiter(long since) {
            this.since = since;
        }
    }

    /** One dial in progress; settles exactly once (connected, failed or timed out). */
    private final class Dial {
        private final AtomicBoolean settled = new AtomicBoolean();
        volatile Scheduler.Cancellable timer;
        volatile PoolEntry<C> entry;
        volatile boolean closedEarly;
        /** {@link #dialFailureEpoch} when the dial was planned. */
        final long epoch;

        Dial(long epoch) {
            this.epoch = epoch;
        }

        boolean settle() {
            return settled.compareAndSet(false, true);
        }

        private final AtomicBoolean closeReported = new AtomicBoolean();

        /**
         * The connector's close callback. Writes {@code closedEarly} before reading {@code entry},
         * while {@link #dialSucceeded} writes {@code entry} before reading {@code closedEarly}: at
         * least one of them sees the other, and {@link #reportClose} runs the removal once.
         */
        void peerClosed() {
            closedEarly = true;
            if (entry != null) {
                reportClose();
            }
        }

        void reportClose() {
            PoolEntry<C> e = entry;
            if (e != null && closeReported.compareAndSet(false, true)) {
                ConnectionPool.this.peerClosed(e, epoch);
            }
        }
    }

    /**
     * Runs hand-offs inline, as long as they do not nest too deep. A waiter's callback that
     * releases its lease at once hands the connection to the next waiter, whose callback releases
     * it, and so on: fully recursive, a storm of thousands of waiters overflowed the stack (found by
     * ConnectionPoolRaceTest) and the overflow cut short the hand-offs still to be made. Beyond
     * {@link #MAX_DEPTH} nested hand-offs on one thread, further ones are queued and run by the
     * outermost call once the stack has unwound, in order. Shallow chains stay inline, so a
     * waiter served from inside another waiter's callback gets its lease at once, not when that
     * callback returns. A throwing task never stops the others.
     */
    private static final class Trampoline {
        static final int MAX_DEPTH = 16;
        private static final ThreadLocal<Trampoline> CURRENT = ThreadLocal.withInitial(Trampoline::new);
        private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
        private int depth;

        static void run(Runnable task) {
            Trampoline t = CURRENT.get();
            if (t.depth >= MAX_DEPTH) {
                t.queue.addLast(task); // too deep: the outermost call runs it next
                return;
            }
            t.depth++;
            try {
                runSafely(task);
                if (t.depth == 1) {
                    Runnable next;
                    while ((next = t.queue.pollFirst()) != null) {
                        runSafely(next);
                    }
                }
            } finally {
                t.depth--;
            }
        }

        private static void runSafely(Runnable task) {
            try {
                task.run();
            } catch (Throwable e) { // Throwable: a sneaky checked exception must not drop the rest
                log.warn("pool hand-off failed", e);
            }
        }
    }

    /** Work decided under the lock and carried out after it, so no foreign code runs locked. */
    private static final class Outbox<C> {
        private List<Object> pairs;
        private List<CompletableFuture<Void>> warmUps;
        private Throwable warmUpFailure;
        int dials;

        void settleWarmUps(List<CompletableFuture<Void>> futures, Throwable failure) {
            warmUps = futures;
            warmUpFailure = failure;
        }
        long dialEpoch;

        @SuppressWarnings("unchecked")
        private void completeAll(ConnectionPool<C> pool) {
            for (int i = 0; i < pairs.size(); i += 2) {
                Waiter<C> w = (Waiter<C>) pairs.get(i);
                Object what = pairs.get(i + 1);
                try {
                    if (what instanceof Lease<?> l) {
                        handOff(pool, w, (Lease<C>) l);
                    } else if (w.future.completeExceptionally((NetkitException) what)) {
                        pool.counters.failedFast.increment();
                        pool.notifyAcquireFailed((NetkitException) what);
                    }
                } catch (Throwable e) { // one failing pair must not strand the waiters after it
                    log.warn("pool hand-off failed", e);
                }
            }
        }

        private static <C> void handOff(ConnectionPool<C> pool, Waiter<C> w, Lease<C> lease) {
            if (w.future.complete(lease)) {
                pool.counters.waitedFor(pool.ticker.nanoTime() - w.since);
                return;
            }
            // The waiter gave up meanwhile: this lease reached nobody. Undo its counting, pass it on.
            pool.counters.acquired.decrement();
            if (lease.first) {
                pool.counters.firstLeases.decrement();
                lease.entry.leasedBefore = false;
            }
            lease.release();
        }

        void handoff(Waiter<C> w, Lease<C> lease) {
            add(w, lease);
        }

        void fail(Waiter<C> w, NetkitException e) {
            add(w, e);
        }

        private void add(Waiter<C> w, Object what) {
            if (pairs == null) {
                pairs = new ArrayList<>(4);
            }
            pairs.add(w);
            pairs.add(what);
        }

        void carryOut(ConnectionPool<C> pool) {
            if (pairs != null) {
                Trampoline.run(() -> completeAll(pool));
            }
            if (warmUps != null) {
                for (CompletableFuture<Void> f : warmUps) {
                    if (warmUpFailure == null) {
                        f.complete(null);
                    } else {
                        f.completeExceptionally(warmUpFailure);
                    }
                }
            }
            for (int i = 0; i < dials; i++) {
                pool.startDial(dialEpoch);
            }
        }
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

        /** Builds and starts the pool. */
        public ConnectionPool<C> build() {
            ConnectionPool<C> pool = new ConnectionPool<>(this);
            pool.start();
            return pool;
        }
    }
}
