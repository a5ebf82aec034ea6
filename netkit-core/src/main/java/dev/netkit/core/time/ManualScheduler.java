package dev.netkit.core.time;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Scheduler} on a {@link ManualTicker}: tasks run only inside {@link #advance}, on the
 * calling thread, in deadline order, with the clock set to each task's deadline as it runs. For
 * tests of time-based logic without sleeping. Thread-safe.
 */
public final class ManualScheduler implements Scheduler {
    private final ManualTicker ticker;
    private final ReentrantLock lock = new ReentrantLock();
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long sequence;

    /** A scheduler with a fresh {@link ManualTicker}. */
    public ManualScheduler() {
        this(new ManualTicker());
    }

    /** A scheduler driving {@code ticker}. */
    public ManualScheduler(ManualTicker ticker) {
        this.ticker = ticker;
    }

    /** The clock this scheduler runs on. */
    public ManualTicker ticker() {
        return ticker;
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        lock.lock();
        try {
            Task t = new Task(ticker.nanoTime() + Math.max(0, delayNanos), sequence++, task);
            queue.add(t);
            return () -> {
                lock.lock();
                try {
                    queue.remove(t);
                } finally {
                    lock.unlock();
                }
            };
        } finally {
            lock.unlock();
        }
    }

    /** Moves time forward by {@code amount}, running every task that falls due on the way. */
    public void advance(Duration amount) {
        long target = ticker.nanoTime() + amount.toNanos();
        for (;;) {
            Task next;
            lock.lock();
            try {
                next = queue.peek();
                if (next == null || next.at - target > 0) {
                    break;
                }
                queue.poll();
            } finally {
                lock.unlock();
            }
            long step = next.at - ticker.nanoTime();
            if (step > 0) {
                ticker.advance(Duration.ofNanos(step));
            }
            next.task.run();
        }
        long rest = target - ticker.nanoTime();
        if (rest > 0) {
            ticker.advance(Duration.ofNanos(rest));
        }
    }

    /** Runs the tasks already due, without moving time. */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /** Tasks scheduled and not yet run or cancelled. */
    public int pending() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    private record Task(long at, long seq, Runnable task) implements Comparable<Task> {
        @Override
        public int compareTo(Task o) {
            int c = Long.compare(at - o.at, 0);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
