package dev.netkit.core.pool;

import dev.netkit.core.qos.FairQueue;
import dev.netkit.core.qos.QosPolicy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The waiters' order: arrival order (an {@link ArrayDeque}, exactly as before classes existed) or,
 * with a {@link QosPolicy}, a {@link FairQueue} by class. One branch on a final field picks the
 * structure, so a pool without classes pays nothing for them. Guarded by the pool's lock.
 */
final class WaitLine<C> {
    private final ArrayDeque<Waiter<C>> fifo; // null with classes
    private final FairQueue<Waiter<C>> fair;  // null without
    private final long[] refused;             // per class; null without

    WaitLine(QosPolicy qos) {
        this.fifo = qos == null ? new ArrayDeque<>() : null;
        this.fair = qos == null ? null : new FairQueue<>(qos);
        this.refused = qos == null ? null : new long[qos.classes().size()];
    }

    /** Counts a refused acquire of class {@code cls} (nothing without classes). */
    void refused(int cls) {
        if (refused != null) {
            refused[cls]++;
        }
    }

    /** Each class's waiters and refusals; empty without classes. */
    List<PoolStats.ClassWaiters> classes() {
        if (fair == null) {
            return List.of();
        }
        List<PoolStats.ClassWaiters> all = new ArrayList<>(refused.length);
        for (int i = 0; i < refused.length; i++) {
            all.add(new PoolStats.ClassWaiters(fair.policy().classes().get(i).name(), fair.size(i), refused[i]));
        }
        return all;
    }

    /** Appends; false when the waiter's class is at its capacity (only with classes). */
    boolean add(Waiter<C> w) {
        if (fair == null) {
            fifo.addLast(w);
            return true;
        }
        return fair.offer(w.qosClass, w);
    }

    /** Why {@link #add} refused {@code w}. */
    String fullMessage(Waiter<C> w) {
        return fair.fullMessage(w.qosClass);
    }

    Waiter<C> peek() {
        return fair == null ? fifo.peekFirst() : fair.peek();
    }

    Waiter<C> poll() {
        return fair == null ? fifo.pollFirst() : fair.poll();
    }

    boolean remove(Waiter<C> w) {
        return fair == null ? fifo.remove(w) : fair.remove(w.qosClass, w);
    }

    int size() {
        return fair == null ? fifo.size() : fair.size();
    }

    boolean isEmpty() {
        return size() == 0;
    }

    /** Removes and returns every waiter. */
    List<Waiter<C>> drain() {
        if (fair != null) {
            return fair.drain();
        }
        List<Waiter<C>> all = new ArrayList<>(fifo);
        fifo.clear();
        return all;
    }
}
