package dev.netkit.core.breaker;

import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers transitions to the listener one at a time, in sequence order, outside the breaker's
 * locks, each exactly once; what the listener throws is logged and ignored.
 *
 * <p>Order needs care because transitions are compare-and-sets: the thread that opened the
 * breaker may be descheduled before it publishes, while another moves it on to HALF_OPEN and
 * publishes first. So transitions queue by sequence number and whoever publishes delivers every
 * transition that is next in line; one that arrives early waits for its predecessor's publisher.
 * A listener that causes a transition (say, by calling {@code state()}) only queues it: the loop
 * already delivering picks it up, so there is no recursion.
 */
final class TransitionNotifier {
    private static final Logger log = LoggerFactory.getLogger(CircuitBreaker.class);

    private final BreakerListener listener;
    private final ReentrantLock lock = new ReentrantLock();
    private final PriorityQueue<BreakerTransition> queue = // guarded by lock
            new PriorityQueue<>((a, b) -> Long.compare(a.sequence(), b.sequence()));
    private long next = 1; // guarded by lock
    private boolean delivering; // guarded by lock

    TransitionNotifier(BreakerListener listener) {
        this.listener = listener;
    }

    /** Queues {@code t} and delivers what is due, unless another thread is delivering. */
    void publish(BreakerTransition t) {
        lock.lock();
        try {
            queue.add(t);
        } finally {
            lock.unlock();
        }
        for (;;) {
            BreakerTransition due;
            lock.lock();
            try {
                due = queue.peek();
                if (delivering || due == null || due.sequence() != next) {
                    return;
                }
                queue.poll();
                next++;
                delivering = true;
            } finally {
                lock.unlock();
            }
            try {
                listener.stateChanged(due);
            } catch (RuntimeException e) {
                log.warn("breaker listener failed on {}", due, e);
            } finally {
                lock.lock();
                try {
                    delivering = false;
                } finally {
                    lock.unlock();
                }
            }
        }
    }
}
