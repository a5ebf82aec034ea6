package dev.netkit.core.balance;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.NoEndpointsException;
import dev.netkit.core.health.HealthCheckConfig;
import dev.netkit.core.health.HealthChecker;
import dev.netkit.core.time.Scheduler;
import dev.netkit.core.time.Ticker;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Chooses an endpoint per request and keeps failing endpoints out of the choice. Transport-
 * agnostic: a client asks {@link #pick()} for an endpoint, sends, and reports the outcome with
 * {@link #finished}.
 *
 * <pre>{@code
 * LoadBalancer lb = LoadBalancer.builder(BalancerConfig.defaults().withStrategy(Strategy.LEAST_OUTSTANDING))
 *         .endpoints(List.of(WeightedEndpoint.of(a), WeightedEndpoint.of(b)))
 *         .build();
 * EndpointState target = lb.pick();
 * long start = System.nanoTime();
 * ... send to target.endpoint().address(), then:
 * lb.finished(target, System.nanoTime() - start, Outcome.SUCCESS);
 * }</pre>
 *
 * <p><b>Data plane.</b> A pick reads an immutable {@link Picker} snapshot through one volatile
 * field: no lock, no allocation. Every successful pick counts one request outstanding on the
 * endpoint, and must be matched by exactly one {@link #finished} call.
 *
 * <p><b>Control plane.</b> Membership changes ({@link #add}, {@link #remove}, {@link #reweight}),
 * passive outlier ejection and return, active health verdicts, breaker state and slow-start
 * progress all rebuild the snapshot under one lock; requests already sent are not disturbed (a
 * removed endpoint's outstanding requests finish normally). When fewer than
 * {@link BalancerConfig#panicThreshold()} of the members are in service, picks use all members.
 *
 * <p><b>Outlier detection</b> ({@link OutlierConfig}): consecutive failures eject at once; the
 * failure rate over each interval, with a minimum volume, ejects at its end. The n-th ejection in
 * a row lasts n × the base time, capped; at most the configured share of members is ejected at
 * once (always at least one). An ejected endpoint returns when its time runs out, or earlier
 * when an active health check passes ({@link #checkPassed}).
 *
 * <p>Thread-safe. Timers run on the injected {@link Scheduler}; time is read from the injected
 * {@link Ticker}, so tests drive both by hand.
 */
public final class LoadBalancer implements AutoCloseable {
    // How the pieces fit, which thread owns what, and why it is safe: see package-info.java.

    private final DataPlane data;
    private final Membership membership;

    private LoadBalancer(Builder builder) {
        this.membership = new Membership(builder);
        this.data = membership.data;
    }

    /** A builder with {@code config}. */
    public static Builder builder(BalancerConfig config) {
        return new Builder(config);
    }

    // ---------------------------------------------------------------- data plane

    /**
     * Picks the endpoint for the next request and counts it outstanding there.
     *
     * @throws NoEndpointsException when there are no members
     */
    public EndpointState pick() {
        return data.pick();
    }

    /**
     * Picks by a request key: hashing strategies send equal keys to the same endpoint while
     * membership and health are unchanged (see {@link HashKeys}).
     *
     * @throws NoEndpointsException when there are no members
     */
    public EndpointState pick(long key) {
        return data.pick(key);
    }

    /**
     * Picks an endpoint other than {@code avoid}, for a retry.
     *
     * @return the endpoint, or {@code null} when no other endpoint is in the snapshot
     */
    public EndpointState pickOther(EndpointState avoid) {
        return data.pickOther(avoid);
    }

    /**
     * Reports how a request to a picked endpoint ended; call exactly once per pick.
     *
     * @param latencyNanos from send to outcome (ignored for {@link Outcome#NOT_COUNTED})
     */
    public void finished(EndpointState endpoint, long latencyNanos, Outcome outcome) {
        data.finished(endpoint, latencyNanos, outcome);
    }

    /**
     * {@link #finished(EndpointState, long, Outcome)} at {@code nowNanos}, a reading of the
     * balancer's ticker the caller already has (the broker reads it once per response for the
     * latency; the latency average and the breaker window reuse it instead of reading the clock
     * again, which costs as much as the rest of this method).
     */
    public void finished(EndpointState endpoint, long latencyNanos, Outcome outcome, long nowNanos) {
        data.finished(endpoint, latencyNanos, outcome, nowNanos);
    }

    /**
     * Picks {@code address} itself, for session affinity: only if it is being picked now (in the
     * current snapshot: in service, or every non-drained member in panic) and its breaker permits.
     * Counts it outstanding like {@link #pick()}; report with {@link #finished} as usual.
     *
     * @return the endpoint, or {@code null} when it is not to be picked now
     */
    public EndpointState pickIfInService(Endpoint address) {
        return data.pickIfInSnapshot(address);
    }

    // ---------------------------------------------------------------- control plane

    /**
     * Takes an endpoint out of service for maintenance (HAProxy's "drain"): no new picks, not even
     * in panic; requests in flight on it finish. Its health checks go on. Undo with {@link #enable}.
     *
     * @return false when {@code address} is not a member
     */
    public boolean drain(Endpoint address) {
        return membership.setDrained(address, true);
    }

    /** Puts a drained endpoint back in service; false when {@code address} is not a member. */
    public boolean enable(Endpoint address) {
        return membership.setDrained(address, false);
    }

    /** Adds an endpoint (in slow start, when configured); replaces the weight, zone and metadata of a member. */
    public void add(WeightedEndpoint endpoint) {
        membership.add(endpoint);
    }

    /**
     * Removes an endpoint from picks. Its outstanding requests finish normally.
     *
     * @return whether it was a member
     */
    public boolean remove(Endpoint address) {
        return membership.remove(address);
    }

    /**
     * Changes an endpoint's weight.
     *
     * @throws IllegalArgumentException when it is not a member, or the weight is out of range
     */
    public void reweight(Endpoint address, int weight) {
        membership.reweight(address, weight);
    }

    /** The members now, in the order they were added. */
    public List<WeightedEndpoint> endpoints() {
        return membership.endpoints();
    }

    /** The live state of a member, or null. */
    public EndpointState state(Endpoint address) {
        Member member = membership.member(address);
        return member == null ? null : member.state;
    }

    /**
     * An active health check's verdict on {@code address} changed: an unhealthy endpoint leaves
     * picks; a healthy one comes back (in slow start, when configured).
     */
    public void healthChanged(Endpoint address, boolean healthy, String reason) {
        membership.wiring.healthChanged(address, healthy, reason);
    }

    /** An active health check of {@code address} passed: an ejected endpoint returns at once. */
    public void checkPassed(Endpoint address) {
        membership.wiring.checkPassed(address);
    }

    // ---------------------------------------------------------------- stats and lifecycle

    /** Whether picks ignore health now because too few endpoints are in service. */
    public boolean panic() {
        return data.panic();
    }

    /** The state of every member now. */
    public BalancerStats stats() {
        return membership.stats();
    }

    /** Stops the background timers. Picks keep working on the last snapshot. Idempotent. */
    @Override
    public void close() {
        membership.close();
    }

    /** Builds a {@link LoadBalancer}. */
    public static final class Builder {
        // Read by the control plane's pieces (Membership, HealthBreakerWiring) when they are built.
        final BalancerConfig config;
        List<WeightedEndpoint> endpoints = List.of();
        BalancerListener listener = BalancerListener.NONE;
        Ticker ticker = Ticker.system();
        Scheduler scheduler = Scheduler.shared();
        Function<WeightedEndpoint, Object> attacher = e -> null;
        Consumer<Object> detacher = a -> {};
        HealthChecker healthChecker;
        HealthCheckConfig healthConfig = HealthCheckConfig.defaults();

        private Builder(BalancerConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** The initial members (no slow start for them). */
        public Builder endpoints(List<WeightedEndpoint> value) {
            this.endpoints = List.copyOf(value);
            return this;
        }

        /** Receives events. */
        public Builder listener(BalancerListener value) {
            this.listener = Objects.requireNonNull(value, "listener");
            return this;
        }

        /** The clock and timer (default: system clock, shared scheduler); tests pass manual ones. */
        public Builder time(Ticker ticker, Scheduler scheduler) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Creates the object {@link EndpointState#attachment()} holds for each member, initial or
         * added later, before it can be picked (e.g. the endpoint's connection pool).
         */
        public Builder attach(Function<WeightedEndpoint, Object> value) {
            this.attacher = Objects.requireNonNull(value, "attacher");
            return this;
        }

        /**
         * Disposes of a removed member's attachment (e.g. closes its pool). Called under the
         * balancer's membership lock, so attach and detach of one address never interleave; it
         * must not block. Requests already sent to the member finish on their own.
         */
        public Builder detach(Consumer<Object> value) {
            this.detacher = Objects.requireNonNull(value, "detacher");
            return this;
        }

        /**
         * Checks every member actively with {@code checker}: an endpoint failing its checks
         * leaves picks until they pass again, and a passing check returns an ejected endpoint
         * early. Default: no active checks.
         */
        public Builder healthCheck(HealthChecker checker, HealthCheckConfig config) {
            this.healthChecker = Objects.requireNonNull(checker, "checker");
            this.healthConfig = Objects.requireNonNull(config, "config");
            return this;
        }

        /** Builds and starts the background sweep. */
        public LoadBalancer build() {
            return new LoadBalancer(this);
        }
    }
}
