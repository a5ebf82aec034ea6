package dev.netkit.netty.testing;

import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import java.lang.reflect.Field;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

/** Counts the timers scheduled on event loops, for tests that check closed connections leave none behind. */
public final class ScheduledTasks {
    private ScheduledTasks() {}

    /** Timers scheduled on every loop of {@code loops} now (each read on its own loop). */
    public static int count(EventExecutorGroup loops) throws Exception {
        Field queue = AbstractScheduledEventExecutor.class.getDeclaredField("scheduledTaskQueue");
        queue.setAccessible(true);
        int n = 0;
        for (EventExecutor loop : loops) {
            n += loop.submit(() -> {
                Collection<?> q = (Collection<?>) queue.get(loop);
                return q == null ? 0 : q.size();
            }).get(5, TimeUnit.SECONDS);
        }
        return n;
    }
}
