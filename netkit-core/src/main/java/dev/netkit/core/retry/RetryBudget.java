package dev.netkit.core.retry;

import dev.netkit.core.internal.Checks;
import dev.netkit.core.internal.TimeBuckets;
import dev.netkit.core.time.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Finagle's retry budget: retries may add at most a fixed share to the traffic, plus a small
 * floor, so that when an endpoint browns out, clients do not multiply its load by their
 * {@code maxAttempts}. Share one budget across everything that retries to the same service (one
 * per broker), or the shares add up. Thread-safe.
 *
 * <p>Every original request deposits {@code percentCanRetry} of a token ({@link #recordRequest()});
 * every retry withdraws one ({@link #tryWithdraw()}) and is refused if the balance is below one.
 * Deposits and withdrawals expire after {@code ttl}. On top, {@code minRetriesPerSecond} retries
 * per second are always allowed, so a client sending little traffic can still retry: a new or
 * idle budget holds {@code minRetriesPerSecond × ttl} tokens. Over any period, then, retries stay
 * within {@code percentCanRetry × requests + minRetriesPerSecond × seconds}, plus that idle
 * reserve once.
 *
 * <p>Time is kept in 10 slices of {@code ttl / 10} on the injected {@link Ticker}, plus the
 * current slice, so a deposit lasts between {@code ttl} and {@code 1.1 × ttl}. The floor is
 * credited for exactly the span the slices cover, so it neither expires early nor lets the
 * share above be exceeded. Tokens are counted in millionths (exact for shares like 0.2).
 *
 * <p>Threading: {@link #recordRequest()} runs for every request, from every caller thread, so it
 * takes no lock: it bumps a {@link LongAdder} and compares the time with the end of the current
 * slice; only the first caller after a slice ends takes the lock to move the pending count into
 * the slice and start the next one (about once per {@code ttl / 10}). {@link #tryWithdraw()} runs
 * for retries only, which are rare by design, and takes a {@link ReentrantLock} (not
 * {@code synchronized}: a virtual thread blocked on a monitor pins its carrier on Java 21) so that
 * checking the balance and withdrawing are one step. A request recorded just as a slice ends may
 * be counted in the next slice, living at most one slice longer.
 */
public final class RetryBudget {
    /** Tokens are counted in millionths. */
    private static final long MICROS = 1_000_000;
    private static final int REQUESTS = 0;
    private static final int RETRIES = 1;
    private static final int SLICES = 10;

    private final Duration ttl;
    private final int minRetriesPerSecond;
    private final double percentCanRetry;
    private final boolean unlimited;
    private final Ticker ticker;
    private final long depositMicros;
    private final LongAdder pending = new LongAdder();
    private volatile long sliceEndsAt;
    private final ReentrantLock lock = new ReentrantLock();
    private final TimeBuckets window; // guarded by lock; [REQUESTS, RETRIES] per slice
    private long requests; // guarded by lock, like the three below
    private long retries;
    private long rejected;

    /**
     * A budget with Finagle's parameters.
     *
     * @param ttl                 how long a deposit (and a withdrawal) counts; 1 s..60 s; Finagle: 10 s
     * @param minRetriesPerSecond retries per second allowed whatever the traffic; 0..1,000,000;
     *                            Finagle: 10
     * @param percentCanRetry     tokens each request deposits: a fraction despite Finagle's name,
     *                            0.2 = retries may add 20 % to the requests; 0..10; Finagle: 0.2
     * @param ticker              the clock deposits expire on
     */
    public RetryBudget(Duration ttl, int minRetriesPerSecond, double percentCanRetry, Ticker ticker) {
        this(ttl, minRetriesPerSecond, percentCanRetry, ticker, false);
    }

    private RetryBudget(Duration ttl, int minRetriesPerSecond, double percentCanRetry, Ticker ticker,
            boolean unlimited) {
        this.ttl = checkTtl("ttl", ttl);
        this.minRetriesPerSecond = checkMinRetriesPerSecond("minRetriesPerSecond", minRetriesPerSecond);
        this.percentCanRetry = checkPercentCanRetry("percentCanRetry", percentCanRetry);
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.unlimited = unlimited;
        this.depositMicros = Math.round(percentCanRetry * MICROS);
        this.window = new TimeBuckets(2, SLICES + 1, ttl.toNanos() / SLICES, ticker.nanoTime());
        this.sliceEndsAt = window.nextBucketAt();
    }

    /** Finagle's defaults (10 s, 10 retries/s, 20 %) on {@code ticker}. */
    public static RetryBudget defaults(Ticker ticker) {
        return new RetryBudget(Duration.ofSeconds(10), 10, 0.2, ticker);
    }

    /** A budget that allows every retry (and still counts them): the policy's attempts are the only cap. */
    public static RetryBudget unlimited() {
        return new RetryBudget(Duration.ofSeconds(10), 0, 0, Ticker.system(), true);
    }

    /** A budget that allows no retry. */
    public static RetryBudget none() {
        return new RetryBudget(Duration.ofSeconds(1), 0, 0, Ticker.system());
    }

    /** An original request (not a retry) is being sent: deposits {@code percentCanRetry} of a token. Lock-free. */
    public void recordRequest() {
        recordRequest(ticker.nanoTime());
    }

    /**
     * {@link #recordRequest()} with a reading of this budget's ticker the caller already has
     * (saves reading the clock again on a path taken by every request).
     */
    public void recordRequest(long nowNanos) {
        // Compare first, add second: a request then lands in the slice current when it is drained.
        if (nowNanos - sliceEndsAt >= 0) {
            lock.lock();
            try {
                catchUp(ticker.nanoTime());
            } finally {
                lock.unlock();
            }
        }
        pending.increment();
    }

    /** A retry is about to be sent: true (and one token withdrawn) if the budget allows it, else false. */
    public boolean tryWithdraw() {
        long now = ticker.nanoTime();
        lock.lock();
        try {
            catchUp(now);
            if (unlimited || (window.total(RETRIES) + 1) * MICROS <= allowanceMicros(now)) {
                window.add(RETRIES, 1);
                retries++;
                return true;
            }
            rejected++;
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Retries allowed right now, in tokens (see {@link RetryBudgetStats#balance()}). */
    public double balance() {
        return stats().balance();
    }

    /** Counters since creation and the balance now. */
    public RetryBudgetStats stats() {
        long now = ticker.nanoTime();
        lock.lock();
        try {
            catchUp(now);
            double balance = unlimited ? Double.POSITIVE_INFINITY
                    : (double) (allowanceMicros(now) - window.total(RETRIES) * MICROS) / MICROS;
            return new RetryBudgetStats(requests, retries, rejected, balance);
        } finally {
            lock.unlock();
        }
    }

    /** The deposit lifetime. */
    public Duration ttl() {
        return ttl;
    }

    /** The floor of retries per second. */
    public int minRetriesPerSecond() {
        return minRetriesPerSecond;
    }

    /** The share of requests that may be retried. */
    public double percentCanRetry() {
        return percentCanRetry;
    }

    @Override
    public String toString() {
        RetryBudgetStats s = stats();
        return "RetryBudget[" + (unlimited ? "unlimited" : Math.round(percentCanRetry * 100) + "% + "
                + minRetriesPerSecond + "/s over " + ttl) + ", " + s.requests() + " requests, " + s.retries()
                + " retries, " + s.rejectedRetries() + " refused]";
    }

    static Duration checkTtl(String name, Duration ttl) {
        Objects.requireNonNull(ttl, name);
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new IllegalArgumentException(name + ": " + ttl + " (expected: PT1S..PT1M)");
        }
        return ttl;
    }

    static int checkMinRetriesPerSecond(String name, int value) {
        return Checks.inRange(name, value, 0, 1_000_000);
    }

    static double checkPercentCanRetry(String name, double value) {
        return Checks.inRange(name, value, 0, 10);
    }

    /** Moves pending requests into the slice they arrived in, then the window to {@code now}. Under the lock. */
    private void catchUp(long now) {
        long drained = pending.sumThenReset(); // per-cell getAndSet: no concurrent increment is lost
        window.add(REQUESTS, drained);
        requests += drained;
        window.advance(now);
        sliceEndsAt = window.nextBucketAt();
    }

    /** The floor over the span the window covers, plus the deposits in it. Under the lock. */
    private long allowanceMicros(long now) {
        long floor = minRetriesPerSecond * window.spanNanos(now) / 1_000; // per second × ns × 1e6 / 1e9
        return floor + depositMicros * window.total(REQUESTS);
    }
}
