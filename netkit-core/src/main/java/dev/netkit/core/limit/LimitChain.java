package dev.netkit.core.limit;

import java.util.List;

/**
 * Several buckets charged together, e.g. per connection, per client IP and global (all on one
 * {@code Ticker}: the chain reads it once per charge): a charge
 * passes only if every bucket grants it, and the buckets that granted before a refusing one get
 * their tokens back, so a refused request costs nothing anywhere. Immutable and thread-safe (the
 * buckets are); no allocation per charge.
 */
public final class LimitChain {
    /** {@link #tryAcquire}'s answer when every bucket granted. */
    public static final int GRANTED = -1;

    private final TokenBucket[] buckets;
    private final long smallestBurst;

    /** Charges {@code buckets} in this order (put the most likely to refuse first: fewer refunds). */
    public LimitChain(List<TokenBucket> buckets) {
        if (buckets.isEmpty()) {
            throw new IllegalArgumentException("buckets: none (expected: at least one)");
        }
        this.buckets = buckets.toArray(TokenBucket[]::new);
        long min = Long.MAX_VALUE;
        for (TokenBucket b : this.buckets) {
            min = Math.min(min, b.limit().burst());
        }
        this.smallestBurst = min;
    }

    /** The buckets, in charging order. */
    public List<TokenBucket> buckets() {
        return List.of(buckets);
    }

    /**
     * Policing: takes {@code n} tokens from every bucket or from none.
     *
     * @return {@link #GRANTED}, or the index of the first bucket that refused
     * @throws IllegalArgumentException if {@code n} exceeds a bucket's burst (it could never pass)
     */
    public int tryAcquire(long n) {
        return tryAcquire(n, buckets[0].nowNanos());
    }

    /** {@link #tryAcquire(long)} at {@code nowNanos}, one reading of the buckets' shared {@code Ticker}. */
    public int tryAcquire(long n, long nowNanos) {
        if (n > smallestBurst) {
            for (TokenBucket b : buckets) {
                b.requireWithinBurst(n); // the first whose burst is too small throws, naming itself
            }
        }
        for (int i = 0; i < buckets.length; i++) {
            if (!buckets[i].tryAcquire(n, nowNanos)) {
                refund(i, n);
                return i;
            }
        }
        return GRANTED;
    }

    /**
     * Shaping: reserves {@code n} tokens in every bucket and returns the longest wait, or
     * {@link TokenBucket#REFUSED} (nothing reserved anywhere) if one bucket's wait would exceed
     * {@code maxDelayNanos}.
     */
    public long acquireOrDelay(long n, long maxDelayNanos) {
        return acquireOrDelay(n, maxDelayNanos, buckets[0].nowNanos());
    }

    /** {@link #acquireOrDelay(long, long)} at {@code nowNanos}, one reading of the buckets' shared {@code Ticker}. */
    public long acquireOrDelay(long n, long maxDelayNanos, long nowNanos) {
        long wait = 0;
        for (int i = 0; i < buckets.length; i++) {
            long w = buckets[i].acquireOrDelay(n, maxDelayNanos, nowNanos);
            if (w == TokenBucket.REFUSED) {
                refund(i, n);
                return TokenBucket.REFUSED;
            }
            wait = Math.max(wait, w);
        }
        return wait;
    }

    /** Gives {@code n} tokens back to every bucket (a granted charge whose work did not go ahead). */
    public void refund(long n) {
        refund(buckets.length, n);
    }

    private void refund(int upTo, long n) {
        for (int i = 0; i < upTo; i++) {
            buckets[i].refund(n);
        }
    }
}
