package dev.netkit.core.breaker;

import static dev.netkit.core.breaker.Tally.percent;

import dev.netkit.core.internal.Checks;
import dev.netkit.core.time.Ticker;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * A circuit breaker for one endpoint: it stops calls to an endpoint whose recent calls failed (or
 * were slow) too often, lets a few trial calls through after a wait, and resumes when they
 * succeed. Transport-agnostic and thread-safe.
 *
 * <p>Usage, per call: {@link #tryAcquirePermission()}; if refused, fail fast (or pick another
 * endpoint); if permitted, report exactly one of {@link #onSuccess(long)}, {@link #onFailure(long)}
 * (with the call's duration) or, when the call was never made, {@link #release()}. What counts as
 * a failure is the caller's decision: typically transport errors and timeouts, not an
 * application's error responses.
 *
 * <p>States:
 * <ul>
 *   <li>CLOSED: every call is permitted. Outcomes go into a window (the last N calls or the last
 *       N seconds, see {@link BreakerConfig}). Once it holds {@code minimumCalls} calls, the
 *       breaker opens when the failure rate or the slow-call rate reaches its threshold.</li>
 *   <li>OPEN: calls are refused. After {@code waitInOpen}, the next question (a permission, or
 *       {@link #state()} / {@link #snapshot()}) moves it to HALF_OPEN: there is no timer.</li>
 *   <li>HALF_OPEN: {@code permittedCallsInHalfOpen} trial calls are permitted, no more. Their
 *       outcomes close the breaker (with an empty window) or reopen it for another wait, as soon
 *       as those reported settle the verdict.</li>
 * </ul>
 * Outcomes and releases count in the state the breaker is in when they arrive: those arriving in
 * OPEN are dropped. Permissions carry no token, so a call that outlives a whole open period (longer
 * than {@code waitInOpen}) counts as a trial when it ends in HALF_OPEN.
 *
 * <p>Threading: {@link #tryAcquirePermission()} in CLOSED is one volatile read and takes no lock.
 * Each state lives in its own immutable-shaped object swapped by compare-and-set, so every
 * transition happens exactly once however many threads race for it, and the winner tells the
 * {@link BreakerListener} once, outside any lock, in transition order. Recording in CLOSED takes
 * a small {@link java.util.concurrent.locks.ReentrantLock} (see {@code ClosedPhase}); HALF_OPEN
 * trial slots are taken by CAS.
 */
public final class CircuitBreaker {
    private final String name;
    private final BreakerConfig config;
    private final Ticker ticker;
    private final long slowNanos;
    private final long waitNanos;
    private final AtomicReference<Phase> phase;
    private final LongAdder notPermitted = new LongAdder();
    private final TransitionNotifier notifier;

    /**
     * A CLOSED breaker with an empty window.
     *
     * @param name     the endpoint it guards, for transitions, snapshots and messages
     * @param config   thresholds, window and waits
     * @param ticker   the clock for the time window, the wait in open and nothing else
     * @param listener told of every transition
     */
    public CircuitBreaker(String name, BreakerConfig config, Ticker ticker, BreakerListener listener) {
        this.name = Objects.requireNonNull(name, "name");
        this.config = Objects.requireNonNull(config, "config");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.notifier = new TransitionNotifier(Objects.requireNonNull(listener, "listener"));
        this.slowNanos = config.slowCallDuration().toNanos();
        this.waitNanos = config.waitInOpen().toNanos();
        this.phase = new AtomicReference<>(new ClosedPhase(0, config, ticker.nanoTime()));
    }

    /** A breaker on the system clock with no listener. */
    public CircuitBreaker(String name, BreakerConfig config) {
        this(name, config, Ticker.system(), BreakerListener.NONE);
    }

    /**
     * Asks to make a call. CLOSED: always yes. OPEN: no, until {@code waitInOpen} has elapsed,
     * when this call moves the breaker to HALF_OPEN and takes the first trial slot. HALF_OPEN: yes
     * while trial slots are free. A permitted call must be followed by exactly one of
     * {@link #onSuccess}, {@link #onFailure} or {@link #release()}.
     */
    public boolean tryAcquirePermission() {
        Phase p = phase.get();
        if (p instanceof ClosedPhase) {
            return true; // the fast path: one volatile read
        }
        return tryAcquireSlow(p);
    }

    private boolean tryAcquireSlow(Phase p) {
        for (;;) {
            switch (p) {
                case ClosedPhase c -> {
                    return true;
                }
                case OpenPhase o -> {
                    long now = ticker.nanoTime();
                    if (!o.waitElapsed(now, waitNanos)) {
                        notPermitted.increment();
                        return false;
                    }
                    halfOpen(o, now);
                }
                case HalfOpenPhase h -> {
                    if (h.tryTake()) {
                        return true;
                    }
                    notPermitted.increment();
                    return false;
                }
            }
            p = phase.get(); // after our transition, or another thread's
        }
    }

    /**
     * A permitted call was not made (for example, it was never written): gives back its HALF_OPEN
     * trial slot. Does nothing in CLOSED or OPEN.
     */
    public void release() {
        if (phase.get() instanceof HalfOpenPhase h) {
            h.giveBack();
        }
    }

    /** A permitted call succeeded after {@code durationNanos} (slow if longer than {@code slowCallDuration}). */
    public void onSuccess(long durationNanos) {
        record(false, durationNanos, ticker.nanoTime());
    }

    /**
     * A permitted call succeeded after {@code durationNanos}, ending at {@code nowNanos} (a
     * reading of this breaker's ticker the caller already has: saves reading the clock again).
     */
    public void onSuccess(long durationNanos, long nowNanos) {
        record(false, durationNanos, nowNanos);
    }

    /** A permitted call failed after {@code durationNanos}. */
    public void onFailure(long durationNanos) {
        record(true, durationNanos, ticker.nanoTime());
    }

    /** A permitted call failed after {@code durationNanos}, ending at {@code nowNanos} (this breaker's ticker). */
    public void onFailure(long durationNanos, long nowNanos) {
        record(true, durationNanos, nowNanos);
    }

    private void record(boolean failed, long durationNanos, long now) {
        Checks.notNegative("durationNanos", durationNanos);
        if (!config.enabled()) {
            return;
        }
        boolean slow = durationNanos > slowNanos;
        // instanceof, not a pattern switch: this runs once per call, and a type switch compiled
        // through SwitchBootstraps.typeSwitch measured as the hottest frame of the whole client.
        Phase p = phase.get();
        if (p instanceof ClosedPhase c) {
            Tally cause = c.record(now, failed, slow);
            if (cause != null) {
                transition(c, new OpenPhase(c.sequence() + 1, now, cause), c.openReason(cause));
            }
        } else if (p instanceof HalfOpenPhase h) {
            HalfOpenPhase.Verdict v = h.record(failed, slow);
            if (v == HalfOpenPhase.Verdict.CLOSE) {
                transition(h, new ClosedPhase(h.sequence() + 1, config, now), h.reason(v));
            } else if (v == HalfOpenPhase.Verdict.REOPEN) {
                transition(h, new OpenPhase(h.sequence() + 1, now, h.tally()), h.reason(v));
            }
        }
        // OpenPhase: a call started before the breaker opened; its outcome no longer matters.
    }

    /**
     * The state now. Reading it moves an OPEN breaker whose wait is over to HALF_OPEN (telling the
     * listener), so a control plane that polls sees the endpoint become usable again even if it
     * stopped sending it calls.
     */
    public BreakerState state() {
        return current().state();
    }

    /** The state and figures now (moving an OPEN breaker whose wait is over to HALF_OPEN, like {@link #state()}). */
    public BreakerSnapshot snapshot() {
        Phase p = current();
        Tally t = switch (p) {
            case ClosedPhase c -> config.enabled() ? c.tally(ticker.nanoTime()) : Tally.EMPTY;
            case OpenPhase o -> o.cause();
            case HalfOpenPhase h -> h.tally();
        };
        boolean rated = p instanceof ClosedPhase ? t.calls() >= config.minimumCalls() : t.calls() > 0;
        return new BreakerSnapshot(name, p.state(), rated ? t.failureRate() : -1, rated ? t.slowRate() : -1,
                t.calls(), t.failures(), t.slow(), notPermitted.sum(), p.sequence());
    }

    /** The endpoint this breaker guards. */
    public String name() {
        return name;
    }

    /** The configuration. */
    public BreakerConfig config() {
        return config;
    }

    @Override
    public String toString() {
        BreakerSnapshot s = snapshot();
        return "CircuitBreaker[" + name + ", " + s.state() + ", failure rate "
                + (s.failureRate() < 0 ? "n/a" : percent(s.failureRate())) + " of " + s.calls() + " calls, "
                + s.notPermitted() + " refused, " + s.transitions() + " transitions]";
    }

    private Phase current() {
        Phase p = phase.get();
        if (p instanceof OpenPhase o) {
            long now = ticker.nanoTime();
            if (o.waitElapsed(now, waitNanos)) {
                halfOpen(o, now);
                p = phase.get();
            }
        }
        return p;
    }

    private void halfOpen(OpenPhase o, long now) {
        transition(o, new HalfOpenPhase(o.sequence() + 1, config), "open for "
                + (now - o.openedAt()) / 1_000_000 + " ms (waitInOpen " + config.waitInOpen().toMillis()
                + " ms): letting " + config.permittedCallsInHalfOpen() + " trial calls through");
    }

    /** Moves from {@code from} to {@code to} if no other thread did first; the winner tells the listener. */
    private void transition(Phase from, Phase to, String reason) {
        if (phase.compareAndSet(from, to)) {
            notifier.publish(new BreakerTransition(name, to.sequence(), from.state(), to.state(), reason));
        }
    }
}
