package dev.netkit.core.balance;

import dev.netkit.core.breaker.BreakerState;
import dev.netkit.core.breaker.BreakerTransition;
import dev.netkit.core.breaker.CircuitBreaker;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.NoEndpointsException;
import dev.netkit.core.health.HealthCheckConfig;
import dev.netkit.core.health.HealthCheckRunner;
import dev.netkit.core.health.HealthChecker;
import dev.netkit.core.health.HealthListener;
import dev.netkit.core.time.Scheduler;
import dev.netkit.core.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger log = LoggerFactory.getLogger(LoadBalancer.class);

    /** What the data plane reads: the picker (null when there are no members) and the panic flag. */
    private record Snapshot(Picker picker, boolean panic, String whyEmpty) {}

    private final BalancerConfig config;
    private final BalancerListener listener;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final Function<WeightedEndpoint, Object> attacher;
    private final Consumer<Object> detacher;
    private final HealthChecker healthChecker;
    private final HealthCheckConfig healthConfig;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Endpoint, Member> members = new LinkedHashMap<>(); // guarded by lock
    private final LongAdder ejectionsTotal = new LongAdder();
    private final LongAdder panicsTotal = new LongAdder();
    private volatile Snapshot snapshot = new Snapshot(null, false, "no endpoints configured");
    private boolean panic; // guarded by lock
    private boolean closed; // guarded by lock
    private Scheduler.Cancellable sweepTimer; // guarded by lock
    private Scheduler.Cancellable slowStartTimer; // guarded by lock

    private LoadBalancer(Builder builder) {
        this.config = builder.config;
        this.listener = builder.listener;
        this.ticker = builder.ticker;
        this.scheduler = builder.scheduler;
        this.attacher = builder.attacher;
        this.detacher = builder.detacher;
        this.healthChecker = builder.healthChecker;
        this.healthConfig = builder.healthConfig;
        lock.lock();
        try {
            for (WeightedEndpoint endpoint : builder.endpoints) {
                addLocked(endpoint, false);
            }
            rebuildLocked(new ArrayList<>());
            if (config.outlier().enabled()) {
                scheduleSweepLocked();
            }
        } finally {
            lock.unlock();
        }
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
        Snapshot current = snapshot;
        Picker picker = picker(current);
        for (int attempt = 1; ; attempt++) {
            EndpointState picked = picker.pick();
            if (permitted(picked, current)) {
                return admit(picked);
            }
            if (attempt == config.maxPickEffort()) {
                throw refusedByBreakers(attempt);
            }
        }
    }

    /**
     * Picks by a request key: hashing strategies send equal keys to the same endpoint while
     * membership and health are unchanged (see {@link HashKeys}).
     *
     * @throws NoEndpointsException when there are no members
     */
    public EndpointState pick(long key) {
        Snapshot current = snapshot;
        EndpointState picked = picker(current).pick(key);
        if (!permitted(picked, current)) {
            // A half-open breaker with its trials in use: stickiness yields to a working endpoint.
            return pick();
        }
        return admit(picked);
    }

    /*
     * Panic mode ignores health and ejection, not breakers: every admitted pick holds the
     * breaker's permission (always granted while CLOSED), so finished() can give back or record
     * exactly what was taken. (Skipping the permit in panic let finished() release trial slots
     * that other requests held, so a HALF_OPEN breaker ran more trials than it permits.)
     */
    /** Whether the endpoint's breaker lets one more request through; takes the permit if so. */
    private static boolean permitted(EndpointState picked, Snapshot current) {
        Member member = picked.member;
        return member == null || member.breaker == null || member.breaker.tryAcquirePermission();
    }

    private NoEndpointsException refusedByBreakers(int attempts) {
        return new NoEndpointsException("no endpoint to pick: " + attempts
                + " picks in a row landed on endpoints whose circuit breakers refused (open, or half-open with their trial"
                + " requests in use)");
    }

    /**
     * Picks an endpoint other than {@code avoid}, for a retry.
     *
     * @return the endpoint, or {@code null} when no other endpoint is in the snapshot
     */
    public EndpointState pickOther(EndpointState avoid) {
        Snapshot current = snapshot;
        if (current.picker() == null) {
            return null;
        }
        List<EndpointState> all = current.picker().endpoints();
        if (all.size() == 1) { // the avoided one may be out of the snapshot already (just ejected)
            EndpointState only = all.get(0);
            return only != avoid && permitted(only, current) ? admit(only) : null;
        }
        for (int attempt = 0; attempt < config.maxPickEffort() * 2; attempt++) {
            EndpointState picked = current.picker().pick();
            if (picked != avoid && permitted(picked, current)) {
                return admit(picked);
            }
        }
        // Unlucky draws (or a strategy that keeps choosing it): walk the list from the next one.
        int from = all.indexOf(avoid); // -1 when avoid has left the snapshot: then every index is walked
        for (int i = 1; i <= all.size(); i++) {
            EndpointState next = all.get(Math.floorMod(from + i, all.size()));
            if (next != avoid && permitted(next, current)) {
                return admit(next);
            }
        }
        return null;
    }

    private static Picker picker(Snapshot current) {
        if (current.picker() == null) {
            throw new NoEndpointsException("no endpoint to pick: " + current.whyEmpty());
        }
        return current.picker();
    }

    private EndpointState admit(EndpointState picked) {
        picked.started();
        return picked;
    }

    /**
     * Reports how a request to a picked endpoint ended; call exactly once per pick.
     *
     * @param latencyNanos from send to outcome (ignored for {@link Outcome#NOT_COUNTED})
     */
    public void finished(EndpointState endpoint, long latencyNanos, Outcome outcome) {
        finished(endpoint, latencyNanos, outcome, ticker.nanoTime());
    }

    /**
     * {@link #finished(EndpointState, long, Outcome)} at {@code nowNanos}, a reading of the
     * balancer's ticker the caller already has (the broker reads it once per response for the
     * latency; the latency average and the breaker window reuse it instead of reading the clock
     * again, which costs as much as the rest of this method).
     */
    public void finished(EndpointState endpoint, long latencyNanos, Outcome outcome, long nowNanos) {
        latencyNanos = Math.max(0, latencyNanos); // never let a clock quirk throw inside a completion path
        Member member = endpoint.member;
        CircuitBreaker breaker = member == null ? null : member.breaker;
        switch (outcome) {
            case NOT_COUNTED -> {
                endpoint.finished();
                if (breaker != null) {
                    breaker.release();
                }
                return;
            }
            case SUCCESS -> {
                endpoint.finished(latencyNanos, true, nowNanos);
                if (breaker != null) {
                    breaker.onSuccess(latencyNanos, nowNanos);
                }
            }
            case FAILURE -> {
                endpoint.finished(latencyNanos, false, nowNanos);
                if (breaker != null) {
                    breaker.onFailure(latencyNanos, nowNanos);
                }
            }
        }
        if (member == null || !config.outlier().enabled()) {
            return;
        }
        if (outcome == Outcome.SUCCESS) {
            if (member.consecutiveFailures.get() != 0) { // skip the write on the common path
                member.consecutiveFailures.set(0);
            }
            return;
        }
        int threshold = config.outlier().consecutiveFailures();
        if (threshold > 0 && member.consecutiveFailures.incrementAndGet() >= threshold) {
            eject(member, threshold + " consecutive failures");
        }
    }

    // ---------------------------------------------------------------- control plane

    /** Adds an endpoint (in slow start, when configured); replaces the weight, zone and metadata of a member. */
    public void add(WeightedEndpoint endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        List<Runnable> events = new ArrayList<>();
        lock.lock();
        try {
            checkOpen();
            Member existing = members.get(endpoint.address());
            if (existing != null) {
                existing.state.endpoint(endpoint);
                events.add(() -> listener.membershipChanged(endpoint.address(), "updated to weight " + endpoint.weight()));
            } else {
                addLocked(endpoint, true);
                events.add(() -> listener.membershipChanged(endpoint.address(), "added"));
            }
            rebuildLocked(events);
        } finally {
            lock.unlock();
        }
        tell(events);
    }

    private void addLocked(WeightedEndpoint endpoint, boolean slowStart) {
        EndpointState state = new EndpointState(endpoint, ticker, EndpointState.DEFAULT_DECAY_NANOS);
        Member member = new Member(state);
        state.member = member;
        state.attach(attacher.apply(endpoint));
        if (members.putIfAbsent(endpoint.address(), member) != null) {
            throw new IllegalArgumentException("endpoint " + endpoint.address() + " is listed twice");
        }
        if (slowStart) {
            startSlowStartLocked(member);
        }
        if (config.breaker().enabled()) {
            Endpoint address = endpoint.address();
            member.breaker = new CircuitBreaker(address.toString(), config.breaker(), ticker,
                    transition -> breakerChanged(member, transition));
            member.breakerState = BreakerState.CLOSED.name();
        }
        if (healthChecker != null) {
            member.health = HealthCheckRunner.builder(endpoint.address(), healthChecker)
                    .config(healthConfig)
                    .listener(new MemberHealthListener(member))
                    .time(ticker, scheduler)
                    .build();
            member.activeHealthy = member.health.healthy();
            member.health.start(); // schedules the first check; runs nothing inline
        }
    }

    /** Feeds an active health check's verdicts into the control plane. */
    private final class MemberHealthListener implements HealthListener {
        /** The member this runner checks: a late verdict must not land on a member re-added under the same address. */
        private final Member member;

        MemberHealthListener(Member member) {
            this.member = member;
        }

        @Override
        public void onHealthChanged(Endpoint endpoint, boolean healthy, String reason) {
            if (!member.removed) {
                healthChanged(member, healthy, reason);
            }
        }

        @Override
        public void onCheckPassed(Endpoint endpoint) {
            if (!member.removed && member.ejected) {
                unejectAndRebuild(member, "active health check passed");
            }
        }
    }

    /**
     * Removes an endpoint from picks. Its outstanding requests finish normally.
     *
     * @return whether it was a member
     */
    public boolean remove(Endpoint address) {
        List<Runnable> events = new ArrayList<>();
        lock.lock();
        try {
            Member member = members.remove(address);
            if (member == null) {
                return false;
            }
            member.removed = true;
            if (member.health != null) {
                member.health.close();
            }
            Object attachment = member.state.attachment();
            if (attachment != null) {
                // Under the lock, so an add of the same address that follows attaches a fresh one.
                detacher.accept(attachment);
            }
            events.add(() -> listener.membershipChanged(address, "removed"));
            rebuildLocked(events);
        } finally {
            lock.unlock();
        }
        tell(events);
        return true;
    }

    /**
     * Changes an endpoint's weight.
     *
     * @throws IllegalArgumentException when it is not a member, or the weight is out of range
     */
    public void reweight(Endpoint address, int weight) {
        lock.lock();
        WeightedEndpoint updated;
        try {
            Member member = members.get(address);
            if (member == null) {
                throw new IllegalArgumentException("endpoint " + address + " is not a member (members: " + members.keySet() + ")");
            }
            WeightedEndpoint current = member.state.endpoint();
            updated = new WeightedEndpoint(address, weight, current.zone(), current.metadata());
        } finally {
            lock.unlock();
        }
        add(updated);
    }

    /** The members now, in the order they were added. */
    public List<WeightedEndpoint> endpoints() {
        lock.lock();
        try {
            return members.values().stream().map(m -> m.state.endpoint()).toList();
        } finally {
            lock.unlock();
        }
    }

    /** The live state of a member, or null. */
    public EndpointState state(Endpoint address) {
        lock.lock();
        try {
            Member member = members.get(address);
            return member == null ? null : member.state;
        } finally {
            lock.unlock();
        }
    }

    /**
     * An active health check's verdict on {@code address} changed: an unhealthy endpoint leaves
     * picks; a healthy one comes back (in slow start, when configured).
     */
    public void healthChanged(Endpoint address, boolean healthy, String reason) {
        Member member;
        lock.lock();
        try {
            member = members.get(address);
        } finally {
            lock.unlock();
        }
        if (member != null) {
            healthChanged(member, healthy, reason);
        }
    }

    private void healthChanged(Member member, boolean healthy, String reason) {
        Endpoint address = member.state.endpoint().address();
        List<Runnable> events = new ArrayList<>();
        lock.lock();
        try {
            if (member.removed || member.activeHealthy == healthy) {
                return;
            }
            member.activeHealthy = healthy;
            member.lastReason = reason;
            if (healthy) {
                startSlowStartLocked(member);
                if (member.ejected) {
                    returnLocked(member, "active health check passed", events);
                }
            }
            events.add(() -> listener.healthChanged(address, healthy, reason));
            rebuildLocked(events);
        } finally {
            lock.unlock();
        }
        tell(events);
    }

    /** An active health check of {@code address} passed: an ejected endpoint returns at once. */
    public void checkPassed(Endpoint address) {
        Member member;
        lock.lock();
        try {
            member = members.get(address);
        } finally {
            lock.unlock();
        }
        if (member != null && member.ejected) {
            unejectAndRebuild(member, "active health check passed");
        }
    }

    /**
     * The breaker of {@code address} changed state. OPEN takes the endpoint out of picks, and a
     * timer asks the breaker again when its wait is over: the breaker then turns HALF_OPEN (it has
     * no timer of its own and would never be asked while out of picks), and the endpoint comes back
     * for its trial requests.
     */
    private void breakerChanged(Member member, BreakerTransition transition) {
        Endpoint address = member.state.endpoint().address();
        List<Runnable> events = new ArrayList<>();
        lock.lock();
        try {
            if (member.removed || member.breaker == null) {
                return; // a removed member's breaker (its requests still finishing) must not touch a re-added one
            }
            boolean open = transition.to() == BreakerState.OPEN;
            member.breakerState = transition.to().name();
            member.lastReason = transition.reason();
            events.add(() -> listener.breakerChanged(address, transition.from().name(), transition.to().name(), transition.reason()));
            if (open && !closed) {
                CircuitBreaker breaker = member.breaker;
                scheduler.schedule(breaker::state, config.breaker().waitInOpen().toNanos());
            }
            if (member.breakerOpen != open) {
                member.breakerOpen = open;
                rebuildLocked(events);
            }
        } finally {
            lock.unlock();
        }
        tell(events);
    }

    // ---------------------------------------------------------------- outlier detection

    private void eject(Member member, String reason) {
        List<Runnable> events = new ArrayList<>();
        lock.lock();
        try {
            ejectLocked(member, reason, events);
        } finally {
            lock.unlock();
        }
        tell(events);
    }

    private void ejectLocked(Member member, String reason, List<Runnable> events) {
        if (closed || member.removed || member.ejected) {
            return;
        }
        Endpoint address = member.state.endpoint().address();
        int ejectedNow = 0;
        for (Member m : members.values()) {
            ejectedNow += m.ejected ? 1 : 0;
        }
        int allowed = Math.max(1, (int) Math.floor(config.outlier().maxEjectedShare() * members.size()));
        if (ejectedNow >= allowed) {
            String why = reason + "; not ejected: " + ejectedNow + " of " + members.size()
                    + " already ejected (max ejected share " + config.outlier().maxEjectedShare() + ")";
            events.add(() -> listener.ejectionSkipped(address, why));
            member.consecutiveFailures.set(0); // judged again after as many failures, not on every one
            return;
        }
        member.ejected = true;
        member.ejectionMultiplier++;
        member.ejections++;
        member.consecutiveFailures.set(0);
        restartWindow(member);
        member.lastReason = reason;
        ejectionsTotal.increment();
        Duration duration = ejectionTime(member.ejectionMultiplier);
        long ejection = member.ejections;
        scheduler.schedule(() -> endEjection(member, ejection, "ejection of " + duration.toMillis() + " ms ended"), duration.toNanos());
        events.add(() -> listener.ejected(address, reason, duration));
        rebuildLocked(events);
    }

    /** The failure-rate window of {@code member} starts over now. Caller holds the lock. */
    private static void restartWindow(Member member) {
        member.windowStartSuccesses = member.state.successes();
        member.windowStartFailures = member.state.failures();
    }

    private Duration ejectionTime(int multiplier) {
        OutlierConfig outlier = config.outlier();
        long base = outlier.baseEjection().toNanos();
        long max = outlier.maxEjection().toNanos();
        return Duration.ofNanos(multiplier > max / base ? max : base * multiplier);
    }

    /** An ejection's timer: lifts that ejection only, not a later one after an early return. */
    private void endEjection(Member member, long ejection, String reason) {
        if (member.ejections == ejection) {
            unejectAndRebuild(member, reason, ejection);
        }
    }

    private void unejectAndRebuild(Member member, String reason) {
        unejectAndRebuild(member, reason, -1);
    }

    /** @param ejection the ejection to lift, or -1 for whichever is in force */
    private void unejectAndRebuild(Member member, String reason, long ejection) {
        List<Runnable> events = new ArrayList<>();
        lock.lock();
        try {
            if (closed || member.removed || !member.ejected || (ejection >= 0 && member.ejections != ejection)) {
                return;
            }
            returnLocked(member, reason, events);
            rebuildLocked(events);
        } finally {
            lock.unlock();
        }
        tell(events);
    }

    private void returnLocked(Member member, String reason, List<Runnable> events) {
        member.ejected = false;
        member.returnedAt = ticker.nanoTime();
        member.lastReason = reason;
        member.consecutiveFailures.set(0);
        startSlowStartLocked(member);
        Endpoint address = member.state.endpoint().address();
        events.add(() -> listener.returned(address, reason));
    }

    private void scheduleSweepLocked() {
        sweepTimer = scheduler.schedule(this::sweep, config.outlier().interval().toNanos());
    }

    /** Judges failure rates over the interval that ended, and shrinks multipliers of endpoints that stayed well. */
    private void sweep() {
        List<Runnable> events = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            OutlierConfig outlier = config.outlier();
            long now = ticker.nanoTime();
            for (Member member : List.copyOf(members.values())) {
                long successesNow = member.state.successes();
                long failuresNow = member.state.failures();
                long failures = failuresNow - member.windowStartFailures;
                long requests = successesNow - member.windowStartSuccesses + failures;
                member.windowStartSuccesses = successesNow;
                member.windowStartFailures = failuresNow;
                if (member.ejected) {
                    continue;
                }
                if (requests >= outlier.minimumRequests() && failures >= outlier.failureRate() * requests) {
                    ejectLocked(member, String.format("failure rate %.1f%% over %d requests in %d ms (threshold %.1f%%)",
                            100.0 * failures / requests, requests, outlier.interval().toMillis(), 100 * outlier.failureRate()), events);
                } else if (member.ejectionMultiplier > 0 && now - member.returnedAt >= outlier.interval().toNanos()) {
                    member.ejectionMultiplier--; // a whole interval in service forgives one ejection (Envoy)
                }
            }
            scheduleSweepLocked();
        } finally {
            lock.unlock();
        }
        tell(events);
    }

    // ---------------------------------------------------------------- slow start and snapshots

    private void startSlowStartLocked(Member member) {
        if (config.slowStartWindow().isZero()) {
            return;
        }
        member.slowStartSince = ticker.nanoTime();
        member.inSlowStart = true;
        if (slowStartTimer == null && !closed) {
            scheduleSlowStartTickLocked();
        }
    }

    private void scheduleSlowStartTickLocked() {
        // Ramp in about 20 steps: each is a snapshot rebuild, so not much finer than that.
        long step = Math.max(config.slowStartWindow().toNanos() / 20, 1_000_000);
        slowStartTimer = scheduler.schedule(this::slowStartTick, step);
    }

    private void slowStartTick() {
        List<Runnable> events = new ArrayList<>();
        lock.lock();
        try {
            slowStartTimer = null;
            if (closed) {
                return;
            }
            rebuildLocked(events);
            if (members.values().stream().anyMatch(m -> m.inSlowStart)) {
                scheduleSlowStartTickLocked();
            }
        } finally {
            lock.unlock();
        }
        tell(events);
    }

    /** Sets effective weights, chooses the endpoints in service (or all, in panic) and publishes a new picker. */
    private void rebuildLocked(List<Runnable> events) {
        long now = ticker.nanoTime();
        long window = config.slowStartWindow().toNanos();
        List<EndpointState> inService = new ArrayList<>();
        List<EndpointState> all = new ArrayList<>();
        for (Member member : members.values()) {
            int weight = member.state.endpoint().weight();
            if (member.inSlowStart) {
                double progress = (double) (now - member.slowStartSince) / window;
                if (progress >= 1) {
                    member.inSlowStart = false;
                } else {
                    weight = (int) Math.max(1, Math.round(weight * Math.max(config.slowStartMinShare(), progress)));
                }
            }
            member.state.effectiveWeight(weight);
            all.add(member.state);
            if (member.inService()) {
                inService.add(member.state);
            }
        }
        boolean panicNow = !all.isEmpty() && inService.size() < config.panicThreshold() * all.size();
        if (panicNow != panic) {
            panic = panicNow;
            if (panicNow) {
                panicsTotal.increment();
            }
            int up = inService.size();
            int total = all.size();
            events.add(() -> listener.panicChanged(panicNow, up, total));
        }
        List<EndpointState> chosen = panicNow ? all : inService;
        snapshot = chosen.isEmpty()
                ? new Snapshot(null, false, all.isEmpty() ? "every endpoint was removed" : describeOutOfService())
                : new Snapshot(newPicker(chosen), panicNow, "");
    }

    private Picker newPicker(List<EndpointState> chosen) {
        String zone = config.localZone();
        if (zone.isEmpty()) {
            return config.strategy().picker(chosen, config.pickerOptions());
        }
        int localMembers = 0;
        for (Member m : members.values()) {
            localMembers += zone.equals(m.state.endpoint().zone()) ? 1 : 0;
        }
        return ZoneAwarePicker.create(zone, chosen, localMembers, config.strategy(), config.pickerOptions(),
                config.zoneOverloadThreshold());
    }

    private String describeOutOfService() {
        int ejected = 0;
        int unhealthy = 0;
        int breakerOpen = 0;
        for (Member m : members.values()) {
            ejected += m.ejected ? 1 : 0;
            unhealthy += m.activeHealthy ? 0 : 1;
            breakerOpen += m.breakerOpen ? 1 : 0;
        }
        return "all " + members.size() + " endpoints are out of service (ejected " + ejected + ", unhealthy " + unhealthy
                + ", breaker open " + breakerOpen + ") and the panic threshold is " + config.panicThreshold();
    }

    // ---------------------------------------------------------------- stats and lifecycle

    /** Whether picks ignore health now because too few endpoints are in service. */
    public boolean panic() {
        return snapshot.panic();
    }

    /** The state of every member now. */
    public BalancerStats stats() {
        lock.lock();
        try {
            List<EndpointStats> list = new ArrayList<>(members.size());
            int inService = 0;
            for (Member m : members.values()) {
                EndpointState s = m.state;
                WeightedEndpoint e = s.endpoint();
                inService += m.inService() ? 1 : 0;
                list.add(new EndpointStats(e.address(), e.zone(), e.weight(), s.effectiveWeight(), m.status(), s.outstanding(),
                        s.latencyNanos() / 1e6, s.picks(), s.successes(), s.failures(), m.ejections,
                        m.breakerState, m.lastReason));
            }
            return new BalancerStats(list, inService, panic, ejectionsTotal.sum(), panicsTotal.sum());
        } finally {
            lock.unlock();
        }
    }

    /** Stops the background timers. Picks keep working on the last snapshot. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            if (sweepTimer != null) {
                sweepTimer.cancel();
            }
            if (slowStartTimer != null) {
                slowStartTimer.cancel();
            }
            for (Member member : members.values()) {
                if (member.health != null) {
                    member.health.close();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("load balancer is closed");
        }
    }

    private void tell(List<Runnable> events) {
        for (Runnable event : events) {
            try {
                event.run();
            } catch (RuntimeException e) {
                log.warn("balancer listener failed; ignored", e);
            }
        }
    }

    /** Builds a {@link LoadBalancer}. */
    public static final class Builder {
        private final BalancerConfig config;
        private List<WeightedEndpoint> endpoints = List.of();
        private BalancerListener listener = BalancerListener.NONE;
        private Ticker ticker = Ticker.system();
        private Scheduler scheduler = Scheduler.shared();
        private Function<WeightedEndpoint, Object> attacher = e -> null;
        private Consumer<Object> detacher = a -> {};
        private HealthChecker healthChecker;
        private HealthCheckConfig healthConfig = HealthCheckConfig.defaults();

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
