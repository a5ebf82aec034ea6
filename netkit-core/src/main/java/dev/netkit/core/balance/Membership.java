package dev.netkit.core.balance;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.time.Ticker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LoadBalancer}'s control-plane root: the one lock, the members it guards (in the order
 * they were added) and their lifecycle (add with attachment, breaker and health check; remove with
 * detach), stats and close. It builds the other pieces and shares the lock and the member map with
 * them; each of them ends every change with {@link #rebuildLocked} and tells the events it
 * collected with {@link #tell} after unlocking.
 */
final class Membership {
    private static final Logger log = LoggerFactory.getLogger(LoadBalancer.class);

    final ReentrantLock lock = new ReentrantLock();
    final Map<Endpoint, Member> members = new LinkedHashMap<>(); // guarded by lock
    boolean closed; // guarded by lock

    final SlowStart slowStart;
    final OutlierDetector outliers;
    final DataPlane data;
    final HealthBreakerWiring wiring;
    private final SnapshotPublisher publisher;
    private final BalancerListener listener;
    private final Ticker ticker;
    private final Function<WeightedEndpoint, Object> attacher;
    private final Consumer<Object> detacher;

    Membership(LoadBalancer.Builder builder) {
        BalancerConfig config = builder.config;
        this.listener = builder.listener;
        this.ticker = builder.ticker;
        this.attacher = builder.attacher;
        this.detacher = builder.detacher;
        // Each piece keeps this object for the lock and the members; none uses it before this constructor ends.
        this.slowStart = new SlowStart(this, config, ticker, builder.scheduler);
        this.outliers = new OutlierDetector(this, config, listener, ticker, builder.scheduler);
        this.data = new DataPlane(config, ticker, outliers);
        this.publisher = new SnapshotPublisher(members, slowStart, config, listener, ticker, data);
        this.wiring = new HealthBreakerWiring(this, builder);
        lock.lock();
        try {
            for (WeightedEndpoint endpoint : builder.endpoints) {
                addLocked(endpoint, false);
            }
            rebuildLocked(new ArrayList<>());
            if (config.outlier().enabled()) {
                outliers.scheduleSweepLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    void add(WeightedEndpoint endpoint) {
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
            this.slowStart.startLocked(member);
        }
        wiring.wireLocked(member, endpoint);
    }

    boolean remove(Endpoint address) {
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

    void reweight(Endpoint address, int weight) {
        List<Runnable> events = new ArrayList<>();
        lock.lock();
        try {
            checkOpen();
            Member member = members.get(address);
            if (member == null) {
                throw new IllegalArgumentException("endpoint " + address + " is not a member (members: " + members.keySet() + ")");
            }
            // Read and write under one lock: a remove in between must not bring the endpoint back.
            WeightedEndpoint current = member.state.endpoint();
            member.state.endpoint(new WeightedEndpoint(address, weight, current.zone(), current.metadata()));
            events.add(() -> listener.membershipChanged(address, "updated to weight " + weight));
            rebuildLocked(events);
        } finally {
            lock.unlock();
        }
        tell(events);
    }

    /** Sets an operator's drain flag; false when {@code address} is not a member. */
    boolean setDrained(Endpoint address, boolean drained) {
        List<Runnable> events = new ArrayList<>();
        lock.lock();
        try {
            Member member = members.get(address);
            if (member == null) {
                return false;
            }
            if (member.drained != drained) {
                member.drained = drained;
                member.lastReason = drained ? "drained by an operator" : "enabled by an operator";
                events.add(() -> listener.membershipChanged(address, drained ? "drained" : "enabled"));
                rebuildLocked(events);
            }
            return true;
        } finally {
            lock.unlock();
            tell(events);
        }
    }

    List<WeightedEndpoint> endpoints() {
        lock.lock();
        try {
            return members.values().stream().map(m -> m.state.endpoint()).toList();
        } finally {
            lock.unlock();
        }
    }

    /** The member at {@code address} now, or null. */
    Member member(Endpoint address) {
        lock.lock();
        try {
            return members.get(address);
        } finally {
            lock.unlock();
        }
    }

    /** Sets effective weights, chooses the endpoints in service (or all, in panic) and publishes a new picker. */
    void rebuildLocked(List<Runnable> events) {
        publisher.rebuildLocked(events);
    }

    BalancerStats stats() {
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
            return new BalancerStats(list, inService, publisher.panicLocked(), outliers.ejectionsTotal(),
                    publisher.panicsTotal());
        } finally {
            lock.unlock();
        }
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            outliers.cancelSweepLocked();
            slowStart.cancelTickLocked();
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

    /** Tells the events a locked section collected, in order; call after unlocking. */
    void tell(List<Runnable> events) {
        for (Runnable event : events) {
            try {
                event.run();
            } catch (RuntimeException e) {
                log.warn("balancer listener failed; ignored", e);
            }
        }
    }
}
