package dev.netkit.core.pool;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * When the next dial may start. Failed dials back off exponentially with jitter
 * ({@link PoolConfig#dialBackoff()}): each failure that is not a parallel dial's view of the same
 * outage moves the backoff one step ({@link #recordFailureLocked}); a connection that outlives the
 * first step ends it ({@link #healthyLocked}); {@link ConnectionPool#resetBackoff()} cuts the wait
 * short ({@link #endWaitLocked}). Lost connections are replaced after a random delay
 * ({@link #spreadRefillLocked}). While a wait runs, one timer kicks the pool when it ends.
 *
 * <p>Guarded by the pool's lock, except the reads marked lock-free.
 */
final class DialBackoff<C> extends PoolPart<C> {
    private volatile int consecutiveDialFailures; // volatile: isDown() reads it without the lock
    /** Bumped by each failure that moves the backoff a step; a dial remembers it when planned. */
    private long dialFailureEpoch;
    private volatile long retryAt;
    private Throwable lastDialError;
    private volatile long lastDialFailureAt;
    private boolean kickScheduled;
    private long kickAt;
    private long refillNotBefore;

    DialBackoff(ConnectionPool<C> pool) {
        super(pool);
        this.refillNotBefore = ticker.nanoTime();
    }

    /** Whether a failed dial's backoff is still running. Lock-free. */
    boolean isBackingOff() {
        return consecutiveDialFailures > 0 && ticker.nanoTime() - retryAt < 0;
    }

    /** Whether dials failed since the last healthy connection. Lock-free. */
    boolean isFailing() {
        return consecutiveDialFailures > 0;
    }

    /** When the last dial failed. Lock-free; meaningful while {@link #isFailing()}. */
    long lastFailureAt() {
        return lastDialFailureAt;
    }

    boolean hasFailedLocked() {
        return lastDialError != null;
    }

    long epochLocked() {
        return dialFailureEpoch;
    }

    /** If the backoff is still running at {@code now}: schedules a kick for its end, returns true. */
    boolean holdLocked(long now) {
        if (consecutiveDialFailures > 0 && now - retryAt < 0) {
            scheduleKickLocked(retryAt - now);
            return true;
        }
        return false;
    }

    /** If refills must still wait at {@code now} (a lost connection): schedules a kick, returns true. */
    boolean deferRefillLocked(long now) {
        if (now - refillNotBefore < 0) {
            scheduleKickLocked(refillNotBefore - now);
            return true;
        }
        return false;
    }

    void recordFailureLocked(Throwable error, long dialEpoch) {
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

    /** A connection that outlived the first backoff step: healthy again. */
    void healthyLocked() {
        consecutiveDialFailures = 0;
    }

    /** Ends the running wait now; false if no dial has failed (nothing to end). */
    boolean endWaitLocked() {
        if (consecutiveDialFailures == 0) {
            return false;
        }
        long now = ticker.nanoTime();
        if (retryAt - now > 0) {
            retryAt = now;
        }
        return true;
    }

    /** A connection was lost: refills wait a random delay. */
    void spreadRefillLocked() {
        // Replace lost connections after a random delay: a crowd of clients that lost the
        // same server must not all reconnect in the same instant.
        long delay = ThreadLocalRandom.current().nextLong(config.redialDelayMax().toNanos() + 1);
        refillNotBefore = Math.max(refillNotBefore - ticker.nanoTime(), delay) + ticker.nanoTime();
    }

    EndpointDownException endpointDownLocked(PoolStats stats) {
        long waitMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(retryAt - ticker.nanoTime()));
        return new EndpointDownException(endpoint + " is down: " + consecutiveDialFailures + " dial(s) failed in a row, last: "
                + lastDialError + "; next dial in " + waitMs + " ms", lastDialError, stats);
    }

    /**
     * Runs {@link ConnectionPool#kick()} after {@code delayNanos}: when the dial backoff ends, or
     * when a lost connection may be replaced. One timer at a time, moved earlier when needed; a
     * superseded one still kicks, which is harmless.
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
            pool.kick();
        }, delayNanos);
    }
}
