package dev.netkit.core.balance;

import dev.netkit.core.time.Ticker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/*
 * Finagle's peak EWMA: a latency above the average replaces it at once (so a slowing endpoint is
 * penalised fast), one below it is blended in with weight 1 - exp(-elapsed / decay), and reading
 * the value decays it towards zero by the time elapsed since the last sample, so an endpoint that
 * was slow once and then got no traffic is tried again instead of being shunned forever.
 *
 * Updates race benignly: the two fields are written without a lock, so under contention a sample
 * can be lost or blended against a slightly stale stamp. That is what Finagle's lock buys and a
 * balancer's estimate does not need.
 */
/** A peak-sensitive, exponentially decaying latency average. Thread-safe (lossy under races). */
final class PeakEwma {
    /** Cost of an endpoint with requests outstanding and no latency known yet (Finagle's penalty). */
    static final double PENALTY = (double) (Long.MAX_VALUE >> 16);

    private final Ticker ticker;
    private final double decayNanos;
    // Opaque, not volatile: atomic 64-bit reads and writes without the store fence a volatile write
    // costs on every response; the estimate tolerates a slightly stale read.
    private static final VarHandle STAMP;
    private static final VarHandle VALUE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STAMP = lookup.findVarHandle(PeakEwma.class, "stamp", long.class);
            VALUE = lookup.findVarHandle(PeakEwma.class, "value", double.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through STAMP
    private long stamp;
    @SuppressWarnings("unused") // through VALUE
    private double value;

    PeakEwma(Ticker ticker, long decayNanos) {
        if (decayNanos <= 0) {
            throw new IllegalArgumentException("decayNanos: " + decayNanos + " (expected: > 0)");
        }
        this.ticker = ticker;
        this.decayNanos = decayNanos;
        STAMP.setOpaque(this, ticker.nanoTime());
    }

    void observe(long sampleNanos) {
        observe(sampleNanos, ticker.nanoTime());
    }

    /** A sample ending at {@code now} (a reading of this average's ticker). */
    void observe(long sampleNanos, long now) {
        double current = raw();
        double sample = Math.max(0, sampleNanos);
        if (sample > current) {
            VALUE.setOpaque(this, sample);
        } else {
            double w = decay(Math.max(0, now - stamp()) / decayNanos);
            VALUE.setOpaque(this, current * w + sample * (1 - w));
        }
        STAMP.setOpaque(this, now);
    }

    /**
     * exp(-x) for x >= 0. Between samples of a busy endpoint x is tiny (microseconds over a 10 s
     * decay), where the cubic Taylor polynomial is exact to double rounding and costs a few
     * multiplications instead of a call to exp on every response.
     */
    static double decay(double x) {
        if (x < 1e-3) {
            return 1 - x * (1 - x * (0.5 - x / 6)); // error below x^4/24 < 5e-14
        }
        return Math.exp(-x);
    }

    /** The stored average, as of its stamp. */
    private double raw() {
        return (double) VALUE.getOpaque(this);
    }

    private long stamp() {
        return (long) STAMP.getOpaque(this);
    }

    /** The average decayed to now (not stored: reading does not change it). */
    double value() {
        double current = raw();
        if (current == 0) {
            return 0;
        }
        return current * decay(Math.max(0, ticker.nanoTime() - stamp()) / decayNanos);
    }

    double cost(int outstanding) {
        double v = value();
        if (v == 0 && outstanding != 0) {
            return PENALTY + outstanding;
        }
        return v * (outstanding + 1);
    }

    /*
     * Whether b's cost is below a's without reading the clock and with one exp instead of two:
     * both decay by exp(-(now - stamp) / decay), so dividing both sides by b's factor leaves
     * vb (ob + 1) < va (oa + 1) exp((sa - sb) / decay). Zero averages (no data, or the penalty)
     * and different decays take the plain path.
     */
    static boolean cheaper(PeakEwma b, int outstandingB, PeakEwma a, int outstandingA) {
        double va = a.raw();
        double vb = b.raw();
        if (va == 0 || vb == 0 || a.decayNanos != b.decayNanos) {
            return b.cost(outstandingB) < a.cost(outstandingA);
        }
        double exponent = Math.max(-700, Math.min(700, (a.stamp() - b.stamp()) / a.decayNanos)); // exp stays finite
        return vb * (outstandingB + 1) < va * (outstandingA + 1) * Math.exp(exponent);
    }
}
