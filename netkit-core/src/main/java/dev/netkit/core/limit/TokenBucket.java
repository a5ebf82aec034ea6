package dev.netkit.core.limit;

import dev.netkit.core.time.Ticker;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/*
 * Design note. The whole state is one long, `consumed`: how many tokens were ever taken, on a
 * wrapping (mod 2^64) scale. How many were ever earned is a pure function of the clock:
 *
 *     earned(now) = floor((now - origin) * rate / 1e9)
 *
 * computed exactly in integers (elapsed = s * 1e9 + r with 0 <= r < 1e9, so earned = s * rate +
 * r * (rate / 1e9) + r * (rate % 1e9) / 1e9, where the last product is below 1e18). No fraction is
 * ever rounded away and carried: the rate cannot drift however small the requests, unlike
 * "tokens += elapsed * rate" with a truncating step (the seeds' BandwidthLimiter loses the
 * fraction on every call). Both counters wrap together (Java's long arithmetic is exact mod
 * 2^64), and only their difference d = earned - consumed is used. That difference is exact while
 * its true value is below 2^63; it grows only while the bucket is idle. So a second long,
 * `touched` (an opaque hint, written at most once per TOUCH_QUANTUM, before the CAS), says when
 * the bucket was last used: untouched for longer than a full refill (idleNanos, at most 2^61 ns)
 * means full, whatever d says; otherwise d's true value is below burst + maxDebt < 2^62 and the
 * wrapped difference is exact. Hence no overflow for any rate up to MAX_RATE, any burst up to
 * MAX_BURST and any uptime below 292 years (the range of nanoTime differences).
 *
 *     d > burst        the bucket was idle (or the clock jumped forward): capped at burst
 *     0 <= d <= burst  d tokens available
 *     d < 0            reservations ahead of the clock (shaping debt), repaid as time passes
 *     d < -maxDebt     more debt than any reservation may make (MAX_DELAY's worth): the clock
 *                      went back; start again from an empty bucket (no negative tokens, no
 *                      exception, at most `burst` tokens lost)
 *
 * An acquire reads the clock once, then CASes `consumed` (retrying only on contention): one
 * AtomicLong, no lock, no allocation.
 */
/**
 * A lock-free token bucket with integer arithmetic and an injected {@link Ticker}: policing
 * ({@link #tryAcquire}) and non-blocking shaping ({@link #acquireOrDelay}: reserve now, tells how
 * long to wait, never sleeps). Thread-safe.
 *
 * <p><b>Requests larger than the burst.</b> {@link #tryAcquire} refuses them with an
 * {@link IllegalArgumentException} naming the limit (they could never pass, and returning
 * {@code false} forever would stall the caller silently). {@link #acquireOrDelay} grants them as
 * a debt: the bucket may be empty-and-owing for the excess, repaid over time, so a frame larger
 * than the burst waits {@code (n - burst) / rate} at worst instead of deadlocking, and the
 * long-run rate stays exact.
 */
public final class TokenBucket {
    /** Largest rate, in tokens per second (a petabyte per second). */
    public static final long MAX_RATE = 1_000_000_000_000_000L;
    /** Largest burst, in tokens. */
    public static final long MAX_BURST = 1_000_000_000_000_000L;
    /** Longest wait {@link #acquireOrDelay} may grant; also the most debt a bucket may owe. */
    public static final Duration MAX_DELAY = Duration.ofMinutes(1);
    /** {@link #acquireOrDelay}'s answer when the wait would exceed the allowed delay (nothing reserved). */
    public static final long REFUSED = -1;

    private static final long NANOS = 1_000_000_000L;
    private static final long MAX_DELAY_NANOS = MAX_DELAY.toNanos();
    private static final long TOUCH_QUANTUM = 1_000_000; // 1 ms: `touched` is rewritten at most this often

    private final RateLimit limit;
    private final long burst;
    private final long rateWhole; // rate / 1e9: tokens per nanosecond, whole part
    private final long rateFrac;  // rate % 1e9
    private final long maxDebt;   // tokens earned in MAX_DELAY
    private final Ticker ticker;
    private final long origin;
    private final long idleNanos; // untouched this long: certainly full
    private final AtomicLong consumed;
    private final AtomicLong touched;

    /** A bucket that starts full. */
    public TokenBucket(RateLimit limit, Ticker ticker) {
        this.limit = Objects.requireNonNull(limit, "limit");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.burst = limit.burst();
        this.rateWhole = limit.perSecond() / NANOS;
        this.rateFrac = limit.perSecond() % NANOS;
        this.maxDebt = Math.multiplyExact(limit.perSecond(), MAX_DELAY.toSeconds()); // <= 6e16
        this.origin = ticker.nanoTime();
        this.consumed = new AtomicLong(-burst); // earned(origin) = 0: full
        this.touched = new AtomicLong(origin);
        long refill = BigInteger.valueOf(burst + maxDebt).multiply(BigInteger.valueOf(NANOS))
                .divide(BigInteger.valueOf(limit.perSecond())).min(BigInteger.ONE.shiftLeft(61)).longValue();
        this.idleNanos = refill + 2 * TOUCH_QUANTUM;
    }

    /** The configuration. */
    public RateLimit limit() {
        return limit;
    }

    /**
     * Takes {@code n} tokens if they are all available now (policing).
     *
     * @throws IllegalArgumentException if {@code n < 1} or {@code n > burst} (it could never pass)
     */
    public boolean tryAcquire(long n) {
        return tryAcquire(n, ticker.nanoTime());
    }

    /**
     * {@link #tryAcquire(long)} at {@code nowNanos}, a reading of this bucket's {@link Ticker} the
     * caller took: on a hot path one reading serves every bucket and every frame of a socket read
     * (the clock costs more than the bucket; see BENCHMARKS.md). An older reading only earns fewer
     * tokens.
     */
    public boolean tryAcquire(long n, long nowNanos) {
        if (n < 1 || n > burst) {
            throw badCount(n);
        }
        long now = nowNanos;
        long earned = earned(now);
        for (;;) {
            long c = consumed.get();
            long base = base(c, earned, now);
            if (earned - base < n) {
                return false;
            }
            touch(now);
            if (consumed.compareAndSet(c, base + n)) {
                return true;
            }
        }
    }

    /**
     * Reserves {@code n} tokens (shaping) and returns how many nanoseconds the caller must wait
     * until they are earned: 0 = go now. The caller schedules its resume after that delay; it
     * does not sleep. If the wait would be longer than {@code maxDelayNanos}, nothing is
     * reserved and {@link #REFUSED} is returned. {@code n} may exceed the burst (see the class
     * documentation).
     *
     * @param maxDelayNanos 0 .. {@link #MAX_DELAY}
     */
    public long acquireOrDelay(long n, long maxDelayNanos) {
        return acquireOrDelay(n, maxDelayNanos, ticker.nanoTime());
    }

    /** {@link #acquireOrDelay(long, long)} at {@code nowNanos}, a reading of this bucket's {@link Ticker} (see {@link #tryAcquire(long, long)}). */
    public long acquireOrDelay(long n, long maxDelayNanos, long nowNanos) {
        if (n < 1) {
            throw badCount(n);
        }
        if (maxDelayNanos < 0 || maxDelayNanos > MAX_DELAY_NANOS) {
            throw new IllegalArgumentException(limit.name() + ": maxDelayNanos " + maxDelayNanos + " (expected: 0.."
                    + MAX_DELAY_NANOS + ")");
        }
        if (n > maxDebt + burst) {
            return REFUSED; // more than MAX_DELAY could ever repay
        }
        long now = nowNanos;
        long earned = earned(now);
        for (;;) {
            long c = consumed.get();
            long base = base(c, earned, now);
            long after = earned - base - n; // tokens left after the reservation; negative: owed
            long wait = after >= 0 ? 0 : nanosFor(-after);
            if (wait > maxDelayNanos) {
                return REFUSED;
            }
            touch(now);
            if (consumed.compareAndSet(c, base + n)) {
                return wait;
            }
        }
    }

    /** Gives back {@code n} tokens taken by a reservation that did not go ahead (never above the burst). */
    public void refund(long n) {
        if (n < 1) {
            throw badCount(n);
        }
        consumed.addAndGet(-n); // may overshoot the burst for a moment: the next acquire caps it
    }

    /** A reading of this bucket's clock. */
    long nowNanos() {
        return ticker.nanoTime();
    }

    /** Tokens available now (0 when in debt); a reading for stats and tests. */
    public long available() {
        long now = ticker.nanoTime();
        long earned = earned(now);
        return Math.max(0, earned - base(consumed.get(), earned, now));
    }

    /** Nanoseconds until {@code n} tokens would be available (0 if they are now). */
    public long nanosUntil(long n) {
        long now = ticker.nanoTime();
        long earned = earned(now);
        long missing = n - (earned - base(consumed.get(), earned, now));
        return missing <= 0 ? 0 : nanosFor(missing);
    }

    /** Throws what {@link #tryAcquire} would for a count that can never pass; takes nothing. */
    void requireWithinBurst(long n) {
        if (n < 1 || n > burst) {
            throw badCount(n);
        }
    }

    private void touch(long now) {
        long since = now - touched.getOpaque();
        if (since > TOUCH_QUANTUM || since < 0) { // < 0: the clock went back
            touched.setOpaque(now); // a hint: racing writers all write about now
        }
    }

    /** The consumed count to start from: {@code c}, or moved up to a full or to an empty bucket. */
    private long base(long c, long earned, long now) {
        if (now - touched.getOpaque() > idleNanos) {
            return earned - burst; // idle longer than a full refill: full (and d may have wrapped)
        }
        long d = earned - c; // wrapping difference: exact here (see the design note)
        if (d > burst) {
            return earned - burst; // idle or a forward jump: never more than the burst
        }
        if (d < -maxDebt) {
            return earned; // the clock went back: an empty bucket, no debt, no exception
        }
        return c;
    }

    private long earned(long now) {
        long elapsed = now - origin;
        long s = Math.floorDiv(elapsed, NANOS);
        long r = elapsed - s * NANOS; // 0 <= r < 1e9
        return s * limit.perSecond() + r * rateWhole + r * rateFrac / NANOS;
    }

    /** ceil(tokens * 1e9 / rate): how long {@code tokens} take to earn; exact, tokens <= maxDebt + burst. */
    private long nanosFor(long tokens) {
        long rate = limit.perSecond();
        long q = tokens / rate;
        long m = tokens % rate;
        long hi = Math.multiplyHigh(m, NANOS);
        long lo = m * NANOS;
        long part;
        if (hi == 0 && lo >= 0) {
            part = (lo + rate - 1) / rate;
        } else { // rates above 9.2e9/s: rare, only on the waiting path
            part = BigInteger.valueOf(m).multiply(BigInteger.valueOf(NANOS)).add(BigInteger.valueOf(rate - 1))
                    .divide(BigInteger.valueOf(rate)).longValueExact();
        }
        return Math.addExact(Math.multiplyExact(q, NANOS), part);
    }

    private IllegalArgumentException badCount(long n) {
        if (n > burst) {
            return new IllegalArgumentException(limit.name() + ": " + n + " tokens requested at once exceed the burst of "
                    + burst + " (expected: <= burst; such a request could never pass; raise the burst)");
        }
        return new IllegalArgumentException(limit.name() + ": " + n + " tokens (expected: >= 1)");
    }

    @Override
    public String toString() {
        return "TokenBucket[" + limit + ", available " + available() + "]";
    }
}
