package dev.netkit.core.pool;

import dev.netkit.core.time.Scheduler;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** A real {@link Scheduler} on a private timer thread, for tests that race real threads. */
final class ThreadScheduler {
    private ThreadScheduler() {}

    /** A one-thread timer named {@code name}; cancelled tasks are removed at once. */
    static ScheduledThreadPoolExecutor timer(String name) {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                r -> Thread.ofPlatform().daemon().name(name).unstarted(r));
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** {@code timer} as a {@link Scheduler}. */
    static Scheduler on(ScheduledThreadPoolExecutor timer) {
        return (task, delayNanos) -> {
            var f = timer.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        };
    }
}
