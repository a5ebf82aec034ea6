package dev.netkit.netty.internal.client;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.backoff.ExponentialBackoff;
import dev.netkit.core.time.Ticker;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * One persistent connection position towards an endpoint. Holds the current
 * {@link BrokerConnection} and replaces it when it closes; after failed connects it waits an
 * exponential, jittered backoff before trying again (the jitter keeps many clients that lost the
 * same server from reconnecting in lockstep). Thread-safe: the fast path is one volatile read;
 * (re)connecting takes a lock that is never held during I/O. Time comes from an injected
 * {@link Ticker}.
 */
public final class ConnectionSlot {
    final Endpoint endpoint;
    private final ExponentialBackoff backoff;
    private final Ticker ticker;
    private final Function<ConnectionSlot, BrokerConnection> connector;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile BrokerConnection current;
    // guarded by lock
    private int failures;
    private long retryAt;
    private volatile String lastFailure;

    public ConnectionSlot(Endpoint endpoint, ExponentialBackoff backoff, Ticker ticker,
                          Function<ConnectionSlot, BrokerConnection> connector) {
        this.endpoint = endpoint;
        this.backoff = backoff;
        this.ticker = ticker;
        this.connector = connector;
    }

    /** The usable connection, opening one if needed; null while backing off after failures. */
    public BrokerConnection connection() {
        BrokerConnection c = current;
        if (c != null && c.isUsable()) {
            return c;
        }
        lock.lock();
        try {
            c = current;
            if (c != null && c.isUsable()) {
                return c;
            }
            if (failures > 0 && ticker.nanoTime() - retryAt < 0) {
                return null;
            }
            c = connector.apply(this);
            current = c;
            return c;
        } finally {
            lock.unlock();
        }
    }

    /** The connection currently held, if any, without opening one. */
    public BrokerConnection current() {
        return current;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** Why the last connect failed and when the next attempt is allowed, for error messages. */
    public String describeFailure() {
        lock.lock();
        try {
            long waitMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(retryAt - ticker.nanoTime()));
            return endpoint + ": " + failures + " failed connect(s), last: " + lastFailure + "; next attempt in " + waitMs + " ms";
        } finally {
            lock.unlock();
        }
    }

    void connected() {
        lock.lock();
        try {
            failures = 0;
        } finally {
            lock.unlock();
        }
    }

    void connectFailed(Throwable cause) {
        lock.lock();
        try {
            failures++;
            retryAt = ticker.nanoTime() + backoff.delay(failures, ThreadLocalRandom.current()).toNanos();
            lastFailure = String.valueOf(cause);
        } finally {
            lock.unlock();
        }
    }
}
