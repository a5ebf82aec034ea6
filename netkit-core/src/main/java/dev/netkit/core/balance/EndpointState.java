package dev.netkit.core.balance;

import dev.netkit.core.time.Ticker;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live, mutable side of one endpoint: requests outstanding on it, its latency (a peak EWMA),
 * its outcome counters, and the weight the control plane gives it now. Shared by every picker
 * snapshot that lists the endpoint, so a rebuild loses nothing. Thread-safe.
 *
 * <p>Callers report each request twice: {@link #started()} when it is sent to this endpoint and
 * {@link #finished(long, boolean)} when it ends, with its latency and whether it succeeded.
 */
public final class EndpointState {
    /** Finagle's default decay time for the peak EWMA. */
    public static final long DEFAULT_DECAY_NANOS = 10_000_000_000L;

    private volatile WeightedEndpoint endpoint;
    private volatile int effectiveWeight;
    private final AtomicInteger outstanding = new AtomicInteger();
    private final PeakEwma latency;
    private final LongAdder successes = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder notCounted = new LongAdder();
    private volatile Object attachment;
    /** The balancer's record of this endpoint, or null outside a {@link LoadBalancer}; set before publication. */
    Member member;

    /** State for {@code endpoint} on the system clock, with the default latency decay. */
    public EndpointState(WeightedEndpoint endpoint) {
        this(endpoint, Ticker.system(), DEFAULT_DECAY_NANOS);
    }

    /**
     * State for {@code endpoint}, nothing outstanding.
     *
     * @param ticker     the clock the latency average decays on
     * @param decayNanos the peak EWMA's time constant: how fast an old latency is forgotten
     */
    public EndpointState(WeightedEndpoint endpoint, Ticker ticker, long decayNanos) {
        this.endpoint = endpoint;
        this.effectiveWeight = endpoint.weight();
        this.latency = new PeakEwma(ticker, decayNanos);
    }

    /** The endpoint (its latest weight, after a reweight). */
    public WeightedEndpoint endpoint() {
        return endpoint;
    }

    void endpoint(WeightedEndpoint updated) {
        this.endpoint = updated;
    }

    /**
     * The weight pickers use: the configured weight, scaled down while the endpoint is in slow
     * start. Read once, when a snapshot is built.
     */
    public int effectiveWeight() {
        return effectiveWeight;
    }

    void effectiveWeight(int weight) {
        this.effectiveWeight = weight;
    }

    /** Requests sent to this endpoint and not finished. */
    public int outstanding() {
        return outstanding.get();
    }

    /** A request to this endpoint started. */
    public void started() {
        outstanding.incrementAndGet();
    }

    /** A request to this endpoint finished (any outcome) without a latency worth recording. */
    public void finished() {
        outstanding.decrementAndGet();
        notCounted.increment();
    }

    /**
     * A request to this endpoint finished.
     *
     * @param latencyNanos how long it took, from send to outcome
     * @param success      whether the endpoint answered it
     */
    public void finished(long latencyNanos, boolean success) {
        outstanding.decrementAndGet();
        latency.observe(latencyNanos);
        (success ? successes : failures).increment();
    }

    /** {@link #finished(long, boolean)} ending at {@code nowNanos}, a reading of this state's ticker. */
    void finished(long latencyNanos, boolean success, long nowNanos) {
        outstanding.decrementAndGet();
        latency.observe(latencyNanos, nowNanos);
        (success ? successes : failures).increment();
    }

    /** The peak-EWMA latency now, in nanoseconds; 0 before the first sample. */
    public double latencyNanos() {
        return latency.value();
    }

    /**
     * The least-latency cost: latency × (outstanding + 1). An endpoint with requests outstanding
     * but no latency yet costs a large penalty, so new endpoints are probed, not flooded.
     */
    public double latencyCost() {
        return latency.cost(outstanding.get());
    }

    /** Whether this endpoint's {@link #latencyCost()} is below {@code other}'s (cheaper to compute than both costs). */
    boolean cheaperThan(EndpointState other) {
        return PeakEwma.cheaper(latency, outstanding.get(), other.latency, other.outstanding.get());
    }

    /**
     * Requests started here: finished in any way, or outstanding (a sum of counters, so only
     * approximately consistent while requests run).
     */
    public long picks() {
        return successes.sum() + failures.sum() + notCounted.sum() + outstanding.get();
    }

    /** Requests that succeeded. */
    public long successes() {
        return successes.sum();
    }

    /** Requests that failed. */
    public long failures() {
        return failures.sum();
    }

    /**
     * Attaches the transport's resource for this endpoint (a broker attaches its connection pool)
     * so the request path finds it without a map lookup. Set it before the endpoint can be picked.
     */
    public void attach(Object value) {
        this.attachment = value;
    }

    /** What {@link #attach} stored, or null. */
    public Object attachment() {
        return attachment;
    }

    @Override
    public String toString() {
        return endpoint.address() + "(outstanding=" + outstanding.get() + ")";
    }
}
