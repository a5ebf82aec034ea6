package dev.netkit.core.health;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.time.Scheduler;
import dev.netkit.core.time.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks of one endpoint: runs a {@link HealthChecker} on a timer and turns the
 * results into a healthy/unhealthy state with rise and fall thresholds.
 *
 * <pre>{@code
 * HealthCheckRunner runner = HealthCheckRunner.builder(endpoint, new TcpConnectChecker())
 *         .listener((e, healthy, reason) -> log.info("{} is now {}: {}", e, healthy ? "up" : "down", reason))
 *         .build();
 * runner.start();          // the first check runs at once
 * boolean up = runner.healthy();
 * runner.close();
 * }</pre>
 *
 * <p><b>Schedule.</b> The first check runs as soon as {@link #start()} is called; each next check
 * starts {@link HealthCheckConfig#interval()} plus a random jitter after the previous one
 * <em>ended</em>, so checks of one endpoint never overlap and a slow endpoint is not checked more
 * often than the interval. {@link #checkNow()} asks for an extra check at once (or right after
 * the running one).
 *
 * <p><b>Verdicts.</b> A check passes when its stage completes normally. It fails when the stage
 * fails, when the checker throws or returns {@code null}, and when it is not done within
 * {@link HealthCheckConfig#timeout()}: the runner then counts the failure itself and ignores the
 * stage's late completion. The checker is asked to finish a little earlier (the timeout less 10 %,
 * at most 50 ms less) so that its own, more specific reason normally wins the race. A check
 * abandoned at the timeout is not waited for: if the checker ignores its timeout, its work may
 * still be going on when the next check starts an interval later. {@code unhealthyThreshold} consecutive failures make a healthy endpoint
 * unhealthy; {@code healthyThreshold} consecutive passes make it healthy again. The
 * {@link HealthListener} is told once per transition, in order.
 *
 * <p><b>Threads.</b> Thread-safe. No thread of its own: checks start on the {@link Scheduler}'s
 * thread and their results are handled on whatever thread completes them (the checker's, or the
 * scheduler's for a timeout), under a per-runner lock that is never held while calling the checker
 * or the listener. An idle runner costs one pending timer task, so a control plane can hold one
 * per endpoint for hundreds of endpoints. {@link #healthy()} is a volatile read.
 */
public final class HealthCheckRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthCheckRunner.class);
    private static final long CHECKER_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Endpoint endpoint;
    private final HealthChecker checker;
    private final HealthCheckConfig config;
    private final HealthListener listener;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final RandomGenerator random; // guarded by lock: need not be thread-safe
    private final long intervalNanos;
    private final long maxJitterNanos;
    private final long timeoutNanos;
    private final Duration checkerTimeout;
    private final ReentrantLock lock = new ReentrantLock();
    private final HealthVerdict verdict; // guarded by lock, except its volatile healthy()

    // guarded by lock
    private boolean started;
    private boolean closed;
    /** A check is running, or its outcome is being reported: no other may start. */
    private boolean busy;
    /** The running check, or null; a completion for any other attempt is late and ignored. */
    private Attempt current;
    private boolean rerunRequested;
    /** Identifies the one scheduled check that may still run; stale timer tasks compare and quit. */
    private long timerSeq;
    private Scheduler.Cancellable timer;
    private long lastCheckNanos = -1;

    private HealthCheckRunner(Builder b) {
        this.endpoint = b.endpoint;
        this.checker = b.checker;
        this.config = b.config;
        this.listener = b.listener;
        this.ticker = b.ticker;
        this.scheduler = b.scheduler;
        this.random = b.random != null ? b.random : new SplittableRandom();
        this.intervalNanos = config.interval().toNanos();
        this.maxJitterNanos = (long) (intervalNanos * config.jitter());
        this.timeoutNanos = config.timeout().toNanos();
        // The checker gets a little less than the runner's own deadline, so that when an endpoint
        // is slow the checker's specific reason ("connect ... timed out") is what gets reported,
        // not the runner's generic one; the runner's deadline stays the hard bound.
        this.checkerTimeout = Duration.ofNanos(timeoutNanos - Math.min(timeoutNanos / 10, CHECKER_MARGIN_NANOS));
        this.verdict = new HealthVerdict(config);
    }

    /** Starts building a runner that checks {@code endpoint} with {@code checker}. */
    public static Builder builder(Endpoint endpoint, HealthChecker checker) {
        return new Builder(endpoint, checker);
    }

    /** The endpoint this runner checks. */
    public Endpoint endpoint() {
        return endpoint;
    }

    /** The configuration. */
    public HealthCheckConfig config() {
        return config;
    }

    /**
     * Starts checking: the first check is scheduled at once. Harmless if already started.
     *
     * @throws IllegalStateException if the runner was closed
     */
    public void start() {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("health check runner for " + endpoint + " is closed; it cannot start");
            }
            if (!started) {
                started = true;
                scheduleCheck(0);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Asks for a check as soon as possible, for example when passive outlier detection has just
     * ejected the endpoint: at once when none is running, otherwise right after the running one
     * (requests made meanwhile are merged into one). Ignored before {@link #start()} and after
     * {@link #close()}.
     */
    public void checkNow() {
        lock.lock();
        try {
            if (!started || closed) {
                return;
            }
            if (busy) {
                rerunRequested = true;
            } else {
                scheduleCheck(0);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The current verdict; before the first checks, {@link HealthCheckConfig#initiallyHealthy()}. */
    public boolean healthy() {
        return verdict.healthy();
    }

    /** A consistent snapshot of the counters. */
    public HealthCheckStats stats() {
        lock.lock();
        try {
            return verdict.stats(endpoint, lastCheckNanos);
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops checking: cancels the timers, and the running check's result (if any) will be ignored;
     * no check starts after this returns. The state stays as it was. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            timerSeq++;
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
            if (current != null) {
                current.timeout.cancel();
                current = null;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return stats().toString();
    }

    // ---- the check cycle ----------------------------------------------------------------------

    /** Caller holds the lock. Replaces any scheduled check. */
    private void scheduleCheck(long delayNanos) {
        if (timer != null) {
            timer.cancel();
        }
        long seq = ++timerSeq;
        timer = scheduler.schedule(() -> runCheck(seq), delayNanos);
    }

    private void runCheck(long seq) {
        Attempt attempt;
        lock.lock();
        try {
            if (closed || busy || seq != timerSeq) {
                return; // replaced, or cancelled too late to stop the timer
            }
            timer = null;
            busy = true;
            attempt = new Attempt(ticker.nanoTime());
            current = attempt;
            attempt.timeout = scheduler.schedule(() -> finish(attempt, timeoutFailure(), true), timeoutNanos);
        } finally {
            lock.unlock();
        }
        CompletionStage<Void> stage;
        try {
            stage = checker.check(endpoint, checkerTimeout);
        } catch (Throwable t) {
            finish(attempt, new HealthCheckException(HealthCheckException.Kind.ERROR,
                    "health checker threw " + HealthVerdict.describe(t), t), false);
            if (t instanceof VirtualMachineError e) {
                throw e;
            }
            return;
        }
        if (stage == null) {
            finish(attempt, new HealthCheckException(HealthCheckException.Kind.ERROR,
                    "health checker " + checker.getClass().getName() + " returned null instead of a stage"), false);
            return;
        }
        stage.whenComplete((ignored, error) -> finish(attempt, error, false));
    }

    private HealthCheckException timeoutFailure() {
        return new HealthCheckException(HealthCheckException.Kind.TIMED_OUT, "health check of " + endpoint
                + " did not complete within the timeout of " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
    }

    /** Records the outcome of {@code attempt} (unless it is late), reports a transition, plans the next check. */
    private void finish(Attempt attempt, Throwable error, boolean byTimeout) {
        String transition = null;
        boolean nowHealthy;
        lock.lock();
        try {
            if (current != attempt) {
                return; // late: already timed out, or the runner was closed
            }
            current = null;
            if (!byTimeout) {
                attempt.timeout.cancel();
            }
            lastCheckNanos = ticker.nanoTime() - attempt.startedAt;
            transition = error == null ? verdict.recordPass() : verdict.recordFailure(error, byTimeout);
            nowHealthy = verdict.healthy();
        } finally {
            lock.unlock();
        }
        if (transition != null) {
            tell(nowHealthy, transition);
        }
        if (error == null && nowHealthy) {
            tellPassed();
        }
        lock.lock();
        try {
            busy = false;
            if (closed) {
                return;
            }
            if (rerunRequested) {
                rerunRequested = false;
                scheduleCheck(0);
            } else {
                scheduleCheck(nextDelay());
            }
        } finally {
            lock.unlock();
        }
    }

    private long nextDelay() {
        return intervalNanos + (maxJitterNanos == 0 ? 0 : random.nextLong(maxJitterNanos + 1));
    }

    private void tell(boolean nowHealthy, String reason) {
        try {
            listener.onHealthChanged(endpoint, nowHealthy, reason);
        } catch (RuntimeException e) {
            log.warn("health listener failed on {} becoming {}", endpoint, nowHealthy ? "healthy" : "unhealthy", e);
        }
    }

    private void tellPassed() {
        try {
            listener.onCheckPassed(endpoint);
        } catch (RuntimeException e) {
            log.warn("health listener failed on a passed check of {}", endpoint, e);
        }
    }

    /** One check in flight. */
    private static final class Attempt {
        final long startedAt;
        /** Set under the lock before the attempt is published as {@code current}. */
        Scheduler.Cancellable timeout;

        Attempt(long startedAt) {
            this.startedAt = startedAt;
        }
    }

    /** Builds a {@link HealthCheckRunner}; {@link #build()} does not start it. */
    public static final class Builder {
        private final Endpoint endpoint;
        private final HealthChecker checker;
        private HealthCheckConfig config = HealthCheckConfig.defaults();
        private HealthListener listener = HealthListener.NONE;
        private Ticker ticker = Ticker.system();
        private Scheduler scheduler = Scheduler.shared();
        private RandomGenerator random;

        private Builder(Endpoint endpoint, HealthChecker checker) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            this.checker = Objects.requireNonNull(checker, "checker");
        }

        /** The configuration; default {@link HealthCheckConfig#defaults()}. */
        public Builder config(HealthCheckConfig value) { config = Objects.requireNonNull(value, "config"); return this; }

        /** Told of each transition; default none. */
        public Builder listener(HealthListener value) { listener = Objects.requireNonNull(value, "listener"); return this; }

        /** The clock and timer; default the system clock and {@link Scheduler#shared()}. */
        public Builder time(Ticker ticker, Scheduler scheduler) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * The source of jitter; a seeded one makes the schedule reproducible. Used only under the
         * runner's lock, so it need not be thread-safe. Default: a fresh {@link SplittableRandom}.
         */
        public Builder random(RandomGenerator value) { random = Objects.requireNonNull(value, "random"); return this; }

        /** Builds the runner; call {@link HealthCheckRunner#start()} to begin checking. */
        public HealthCheckRunner build() {
            return new HealthCheckRunner(this);
        }
    }
}
