package dev.netkit.core.pool;

import dev.netkit.core.error.ConnectionLostException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens connections: decides under the lock how many dials to start ({@link #planDialsLocked}, for
 * waiters and for min idle, within {@code maxTotal}, {@code maxConcurrentDials} and the
 * {@link DialBackoff}), starts them after unlocking ({@link #startDial}, from the {@link Outbox}),
 * and settles each {@link Dial} once: into the {@link LeaseBag}, or as a failure that moves the
 * backoff. A connection the peer closes right after it opened counts as a failed dial.
 */
final class Dialer<C> extends PoolPart<C> {
    private static final Logger log = LoggerFactory.getLogger(ConnectionPool.class);

    private final LeaseBag<C> bag;
    private final DialBackoff<C> backoff;
    private final int maxLeases;

    private volatile int dialing; // written under the lock; volatile: isDown() reads it without
    private long nextId = 1; // guarded by lock

    Dialer(ConnectionPool<C> pool, LeaseBag<C> bag, DialBackoff<C> backoff) {
        super(pool);
        this.bag = bag;
        this.backoff = backoff;
        this.maxLeases = config.maxLeasesPerConnection();
    }

    int dialing() {
        return dialing;
    }

    /** See {@link ConnectionPool#isDown()}. Lock-free. */
    boolean isDown() {
        return backoff.isBackingOff() && bag.isEmpty() && dialing == 0;
    }

    boolean knownDownLocked() {
        return backoff.hasFailedLocked() && isDown();
    }

    /** Decides how many dials to start now, for waiters and for min idle. */
    void planDialsLocked(Outbox<C> out) {
        if (bag.isClosed()) {
            return;
        }
        long now = ticker.nanoTime();
        if (backoff.holdLocked(now)) {
            return;
        }
        PoolEntry<C>[] es = bag.entries();
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
            if (!e.retiring && e.hasRoom(maxLeases)) {
                available++; // toward min idle
            }
        }
        int unmet = pool.waiters.sizeLocked() - spare - dialing * maxLeases;
        int forWaiters = unmet > 0 ? (unmet + maxLeases - 1) / maxLeases : 0;
        int forMinIdle = config.minIdle() - available - dialing;
        if (forMinIdle > 0 && backoff.deferRefillLocked(now)) {
            forMinIdle = 0;
        }
        int n = Math.min(room, Math.max(forWaiters, forMinIdle));
        if (n > 0) {
            dialing += n;
            out.dials += n;
            out.dialEpoch = backoff.epochLocked();
        }
    }

    /** See {@link ConnectionPool#resetBackoff()}. */
    void resetBackoff() {
        lock.lock();
        try {
            if (bag.isClosed() || !backoff.endWaitLocked()) {
                return;
            }
        } finally {
            lock.unlock();
        }
        pool.kick(); // dials for min idle or waiters now, if any
    }

    /** Starts one dial (outside the lock); its slot in {@link #dialing} is already taken. */
    void startDial(long epoch) {
        Dial<C> dial = new Dial<>(this, epoch);
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

    private void dialTimedOut(Dial<C> dial) {
        if (dial.settle()) {
            dialFailed(new TimeoutException("dial to " + endpoint + " did not complete within dialTimeout "
                    + config.dialTimeout()), dial.epoch);
        }
    }

    private void dialDone(Dial<C> dial, C connection, Throwable error) {
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

    private void dialSucceeded(Dial<C> dial, C connection) {
        Outbox<C> out = new Outbox<>();
        PoolEntry<C> entry = null;
        lock.lock();
        try {
            dialing--;
            if (!bag.isClosed()) {
                long now = ticker.nanoTime();
                entry = new PoolEntry<>(connection, nextId++, now, expiryOf(now));
                bag.addLocked(entry);
                dial.entry = entry;
                counters.created.increment();
                pool.warmUps.completeLocked(null, out);
                pool.waiters.dispatchLocked(out);
            }
        } finally {
            lock.unlock();
        }
        if (entry == null) {
            closeQuietly(connection); // the pool closed while dialing
            return;
        }
        pool.events.notifyOpened();
        if (dial.closedEarly) {
            dial.reportClose(); // the peer closed it while we were registering it
        }
        out.carryOut(pool);
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
            backoff.recordFailureLocked(error, dialEpoch);
            if (bag.isEmpty() && dialing == 0 && !bag.isClosed()) {
                // Known down and nothing open: fail every waiter now rather than at its timeout.
                EndpointDownException down = backoff.endpointDownLocked(pool.statsLocked());
                pool.waiters.failAllLocked(down, out);
                pool.warmUps.completeLocked(down, out);
            } else if (!bag.isClosed() && dialing == 0 && bag.openLocked() < config.minIdle()) {
                // The round of dials ended short of min idle: a warm-up must not wait for a
                // backoff that may never end.
                pool.warmUps.completeLocked(new ConnectionLostException("could not open min idle " + config.minIdle()
                        + " connection(s) to " + endpoint + ": " + bag.openLocked() + " open; last dial error: " + error, error), out);
            }
            planDialsLocked(out); // schedules the retry after the backoff
        } finally {
            lock.unlock();
        }
        log.debug("dial to {} failed: {}", endpoint, error.toString());
        pool.events.notifyDialFailed(error);
        out.carryOut(pool);
    }

    /** The connector reported that the peer closed {@code e}'s connection (through its {@link Dial}). */
    void peerClosed(PoolEntry<C> e, long dialEpoch) {
        if (e.isClosed()) {
            return;
        }
        long age = ticker.nanoTime() - e.createdAt;
        if (age < config.dialBackoff().initial().toNanos() && !bag.isClosed()) {
            // Lost right after it opened (a server that accepts and closes at once): count it
            // as a failed dial, so re-dials back off instead of looping.
            IllegalStateException error = new IllegalStateException("connection to " + endpoint
                    + " was closed by the peer " + TimeUnit.NANOSECONDS.toMillis(age) + " ms after it opened");
            lock.lock();
            try {
                counters.dialFailures.increment();
                backoff.recordFailureLocked(error, dialEpoch);
            } finally {
                lock.unlock();
            }
            pool.events.notifyDialFailed(error); // counted as a dial failure: tell the listener too, as its stats do
        }
        pool.retirement.retire(e, CloseReason.PEER_CLOSED, true);
    }

    private static Throwable unwrap(Throwable t) {
        return (t instanceof CompletionException && t.getCause() != null) ? t.getCause() : t;
    }
}
