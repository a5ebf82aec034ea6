package dev.netkit.core.time;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs short tasks later: timeouts, backoff retries and background maintenance. Injected beside a
 * {@link Ticker} so tests can drive both by hand ({@link ManualScheduler}). Tasks must not block:
 * they share one thread.
 */
@FunctionalInterface
public interface Scheduler {
    /** A scheduled task that can still be called off. */
    @FunctionalInterface
    interface Cancellable {
        /** Cancels the task if it has not run yet; harmless otherwise. */
        void cancel();
    }

    /** Runs {@code task} once after {@code delayNanos} (at once if not positive). */
    Cancellable schedule(Runnable task, long delayNanos);

    /**
     * The process-wide scheduler: one daemon thread, created on first use, paired with
     * {@link Ticker#system()}.
     */
    static Scheduler shared() {
        return SharedScheduler.INSTANCE;
    }

    /** Holder of the lazily created shared scheduler. */
    final class SharedScheduler implements Scheduler {
        static final SharedScheduler INSTANCE = new SharedScheduler();
        private final ScheduledThreadPoolExecutor executor;

        private SharedScheduler() {
            executor = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().daemon().name("netkit-timer").unstarted(r));
            executor.setRemoveOnCancelPolicy(true); // cancelled timeouts must not pile up
        }

        @Override
        public Cancellable schedule(Runnable task, long delayNanos) {
            var future = executor.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
            return () -> future.cancel(false);
        }
    }
}
