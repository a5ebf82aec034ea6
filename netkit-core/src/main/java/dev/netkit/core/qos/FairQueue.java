package dev.netkit.core.qos;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/*
 * Design note. One FIFO per class. poll() first asks select() which class is next, then takes
 * that class's head; select() is idempotent until the next poll (it only settles the round-robin
 * position and tops up the deficit of the class it lands on), so peek() and poll() agree.
 *
 *   strict class   served first while it has items, unless `strictRun` (strict items served in
 *                  a row while others waited) reached starvationBound: then one item of the
 *                  others goes, and the run starts again.
 *   the others     deficit round robin (Shreedhar & Varghese 1995) with unit cost per item: on
 *                  arrival at a non-empty class its deficit grows by its weight; it is served
 *                  while the deficit lasts; a class found empty loses its deficit (no credit for
 *                  idleness). Over any busy period each class gets weight/sum(weights) of the
 *                  items, within one round (sum of weights) at any moment.
 *
 * Cost: offer O(1); poll O(1) amortised (select visits at most every class once per round);
 * remove(cls, item) O(depth of that class), as the ArrayDeque it replaces.
 */
/**
 * A bounded queue of items in classes of service, served by strict priority (with a starvation
 * bound) and deficit round robin by weight: see {@link QosPolicy}. Not thread-safe: its owner
 * guards it (the pool keeps it under its lock).
 *
 * @param <T> the items
 */
public final class FairQueue<T> {
    private final QosPolicy policy;
    private final ArrayDeque<T>[] queues;
    private final int[] weight;
    private final int[] capacity;
    private final long[] deficit;
    private final int strict; // -1: none
    private final int starvationBound;
    private int current;
    private int size;
    private int strictRun;

    /** An empty queue for {@code policy}. */
    @SuppressWarnings("unchecked")
    public FairQueue(QosPolicy policy) {
        this.policy = policy;
        int n = policy.classes().size();
        queues = new ArrayDeque[n];
        weight = new int[n];
        capacity = new int[n];
        deficit = new long[n];
        for (int i = 0; i < n; i++) {
            queues[i] = new ArrayDeque<>();
            weight[i] = policy.classes().get(i).weight();
            capacity[i] = policy.classes().get(i).capacity();
        }
        strict = policy.strictClass() == null ? -1 : policy.indexOf(policy.strictClass());
        starvationBound = policy.starvationBound();
        current = n - 1; // so the first round starts at class 0 (with its weight)
    }

    /** The policy. */
    public QosPolicy policy() {
        return policy;
    }

    /** Appends {@code item} to class {@code cls}; false (nothing changed) when that class is at its capacity. */
    public boolean offer(int cls, T item) {
        ArrayDeque<T> q = queues[cls];
        if (q.size() >= capacity[cls]) {
            return false;
        }
        q.addLast(item);
        size++;
        return true;
    }

    /** Why {@link #offer} refused an item of class {@code cls}: names the class, its capacity and depth. */
    public String fullMessage(int cls) {
        return "qos class '" + policy.classes().get(cls).name() + "' is full: " + queues[cls].size()
                + " waiting (capacity " + capacity[cls] + ")";
    }

    /** The item {@link #poll()} would return, or null when empty. */
    public T peek() {
        int c = select();
        return c < 0 ? null : queues[c].peekFirst();
    }

    /** Removes and returns the next item by the policy, or null when empty. */
    public T poll() {
        int c = select();
        if (c < 0) {
            return null;
        }
        T item = queues[c].pollFirst();
        size--;
        if (c == strict) {
            strictRun = size - queues[strict].size() > 0 ? strictRun + 1 : 0;
        } else {
            strictRun = 0;
            deficit[c]--;
            if (queues[c].isEmpty()) {
                deficit[c] = 0;
            }
        }
        return item;
    }

    private int select() {
        if (size == 0) {
            return -1;
        }
        if (strict >= 0) {
            int strictDepth = queues[strict].size();
            if (strictDepth > 0 && (strictDepth == size || strictRun < starvationBound)) {
                return strict;
            }
        }
        // Some non-strict class has items: the loop ends within one round.
        for (;;) {
            if (current != strict && !queues[current].isEmpty()) {
                if (deficit[current] >= 1) {
                    return current;
                }
            } else {
                deficit[current] = 0;
            }
            current = current + 1 == queues.length ? 0 : current + 1;
            if (current != strict && !queues[current].isEmpty()) {
                deficit[current] += weight[current];
            }
        }
    }

    /** Removes {@code item} from class {@code cls} (a waiter that gave up); whether it was there. */
    public boolean remove(int cls, T item) {
        if (queues[cls].remove(item)) {
            size--;
            return true;
        }
        return false;
    }

    /** Items waiting, all classes. */
    public int size() {
        return size;
    }

    /** Items of class {@code cls} waiting. */
    public int size(int cls) {
        return queues[cls].size();
    }

    /** Whether nothing waits. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** Removes and returns every item (class by class). */
    public List<T> drain() {
        List<T> all = new ArrayList<>(size);
        for (ArrayDeque<T> q : queues) {
            all.addAll(q);
            q.clear();
        }
        size = 0;
        strictRun = 0;
        current = queues.length - 1;
        java.util.Arrays.fill(deficit, 0);
        return all;
    }
}
