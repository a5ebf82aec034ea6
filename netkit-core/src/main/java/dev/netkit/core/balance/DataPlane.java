package dev.netkit.core.balance;

import dev.netkit.core.breaker.CircuitBreaker;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.NoEndpointsException;
import dev.netkit.core.time.Ticker;
import java.util.List;

/**
 * The {@link LoadBalancer}'s request path (gRPC's SubchannelPicker side): picks read the current
 * {@link Snapshot} through one volatile field, with no lock and no allocation, and take the
 * endpoint's breaker permit; {@link #finished} counts the outcome on the endpoint's atomics and
 * adders and, past the consecutive-failure threshold, hands the member to the
 * {@link OutlierDetector} (the only path here that takes the lock). The snapshot is written only
 * by {@link SnapshotPublisher}, under the control plane's lock.
 */
final class DataPlane {
    /** What the data plane reads: the picker (null when there are no members) and the panic flag. */
    record Snapshot(Picker picker, boolean panic, String whyEmpty) {}

    private final BalancerConfig config;
    private final Ticker ticker;
    private final OutlierDetector outliers;
    private volatile Snapshot snapshot = new Snapshot(null, false, "no endpoints configured");

    DataPlane(BalancerConfig config, Ticker ticker, OutlierDetector outliers) {
        this.config = config;
        this.ticker = ticker;
        this.outliers = outliers;
    }

    /** Publishes a rebuilt snapshot: the one volatile write of a control-plane change. Caller holds the lock. */
    void publish(Snapshot rebuilt) {
        snapshot = rebuilt;
    }

    boolean panic() {
        return snapshot.panic();
    }

    EndpointState pick() {
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

    EndpointState pick(long key) {
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

    EndpointState pickOther(EndpointState avoid) {
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

    /** Picks {@code address} if the current snapshot holds it and its breaker permits; else null. */
    EndpointState pickIfInSnapshot(Endpoint address) {
        Snapshot current = snapshot;
        if (current.picker() == null) {
            return null;
        }
        for (EndpointState candidate : current.picker().endpoints()) {
            if (candidate.endpoint().address().equals(address)) {
                return permitted(candidate, current) ? admit(candidate) : null;
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

    void finished(EndpointState endpoint, long latencyNanos, Outcome outcome) {
        finished(endpoint, latencyNanos, outcome, ticker.nanoTime());
    }

    void finished(EndpointState endpoint, long latencyNanos, Outcome outcome, long nowNanos) {
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
            outliers.eject(member, threshold + " consecutive failures");
        }
    }
}
