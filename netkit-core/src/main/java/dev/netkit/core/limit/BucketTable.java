package dev.netkit.core.limit;

import dev.netkit.core.internal.Checks;
import dev.netkit.core.internal.OncePerInterval;
import dev.netkit.core.time.Ticker;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/*
 * Design (as IpAdmission's per-IP state). One bucket per key in a ConcurrentHashMap, created on
 * first use after taking a slot from `tracked` by CAS below maxKeys; when no slot is free a sweep
 * is tried, then the key is refused (null) while known keys are still served. A sweep runs at
 * most once per SWEEP_INTERVAL, from bucket(), and removes the keys whose bucket is full again
 * (their state is the initial one, so forgetting them changes nothing). A charge racing the
 * sweep on a bucket it removes is forgiven: at most one burst per key per sweep.
 */
/**
 * Token buckets per key (a client IP, a route, a cluster), bounded: at most {@code maxKeys} keys
 * are tracked; a key whose bucket is full again is forgotten by the next sweep. Thread-safe.
 *
 * @param <K> the key; equal keys share a bucket
 */
public final class BucketTable<K> {
    static final long SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final RateLimit limit;
    private final int maxKeys;
    private final Ticker ticker;
    private final ConcurrentHashMap<K, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final AtomicInteger tracked = new AtomicInteger();
    private final OncePerInterval sweepGate;
    private final Function<K, TokenBucket> create;

    /** A table of buckets configured by {@code limit}, for at most {@code maxKeys} keys at once. */
    public BucketTable(RateLimit limit, int maxKeys, Ticker ticker) {
        this.limit = Objects.requireNonNull(limit, "limit");
        this.maxKeys = Checks.positive("maxKeys", maxKeys);
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.sweepGate = OncePerInterval.dueAfterInterval(SWEEP_INTERVAL_NANOS, ticker.nanoTime());
        this.create = k -> tracked.getAndUpdate(n -> n < this.maxKeys ? n + 1 : n) < this.maxKeys
                ? new TokenBucket(this.limit, this.ticker) : null;
    }

    /** The configuration of every bucket. */
    public RateLimit limit() {
        return limit;
    }

    /**
     * The bucket of {@code key}, created full on first use; null when {@code maxKeys} other keys
     * are tracked and none could be forgotten (the caller refuses: the table is full).
     */
    public TokenBucket bucket(K key) {
        TokenBucket b = buckets.get(key);
        if (b != null) {
            return b;
        }
        sweepIfDue();
        b = buckets.computeIfAbsent(key, create);
        if (b == null && sweep()) {
            b = buckets.computeIfAbsent(key, create);
        }
        return b;
    }

    /** Keys tracked now. */
    public int size() {
        return tracked.get();
    }

    private void sweepIfDue() {
        if (sweepGate.tryAcquire(ticker.nanoTime())) {
            sweep();
        }
    }

    /** Forgets keys whose bucket is full again; whether any was forgotten. */
    private boolean sweep() {
        boolean any = false;
        for (var e : buckets.entrySet()) {
            TokenBucket b = e.getValue();
            if (b.available() >= limit.burst() && buckets.remove(e.getKey(), b)) {
                tracked.decrementAndGet();
                any = true;
            }
        }
        return any;
    }
}
