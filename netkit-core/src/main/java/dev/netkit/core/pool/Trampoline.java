package dev.netkit.core.pool;

import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs hand-offs inline, as long as they do not nest too deep. A waiter's callback that
 * releases its lease at once hands the connection to the next waiter, whose callback releases
 * it, and so on: fully recursive, a storm of thousands of waiters overflowed the stack (found by
 * ConnectionPoolRaceTest) and the overflow cut short the hand-offs still to be made. Beyond
 * {@link #MAX_DEPTH} nested hand-offs on one thread, further ones are queued and run by the
 * outermost call once the stack has unwound, in order. Shallow chains stay inline, so a
 * waiter served from inside another waiter's callback gets its lease at once, not when that
 * callback returns. A throwing task never stops the others.
 */
final class Trampoline {
    private static final Logger log = LoggerFactory.getLogger(ConnectionPool.class);
    static final int MAX_DEPTH = 16;
    private static final ThreadLocal<Trampoline> CURRENT = ThreadLocal.withInitial(Trampoline::new);
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private int depth;

    private Trampoline() {
    }

    static void run(Runnable task) {
        Trampoline t = CURRENT.get();
        if (t.depth >= MAX_DEPTH) {
            t.queue.addLast(task); // too deep: the outermost call runs it next
            return;
        }
        t.depth++;
        try {
            runSafely(task);
            if (t.depth == 1) {
                Runnable next;
                while ((next = t.queue.pollFirst()) != null) {
                    runSafely(next);
                }
            }
        } finally {
            t.depth--;
        }
    }

    private static void runSafely(Runnable task) {
        try {
            task.run();
        } catch (Throwable e) { // Throwable: a sneaky checked exception must not drop the rest
            log.warn("pool hand-off failed", e);
        }
    }
}
