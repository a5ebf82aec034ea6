package dev.netkit.core.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded lock-free queue for many producers and one consumer (Dmitry Vyukov's bounded array
 * queue): {@link #offer} never blocks and fails when full, so a producer on an I/O thread pays a
 * CAS and two volatile writes, never a lock or a wake-up. Each slot carries a sequence number that
 * says whether it is free for the producer of lap {@code n} or filled for the consumer.
 *
 * <p>{@link #poll()} must only be called by one thread at a time.
 */
public final class BoundedMpscQueue<E> {
    private final int mask;
    private final AtomicReferenceArray<E> slots;
    private final AtomicLongArray sequences;
    private final AtomicLong tail = new AtomicLong();
    private long head; // the consumer's alone
    private volatile long headPublished; // for size() from other threads

    /** @param capacity rounded up to a power of two, at least 2 */
    public BoundedMpscQueue(int capacity) {
        Checks.positive("capacity", capacity);
        int size = Math.max(2, Integer.highestOneBit(Math.max(1, capacity - 1)) << 1);
        if (size < capacity) {
            throw new IllegalArgumentException("capacity: " + capacity + " (too large)");
        }
        mask = size - 1;
        slots = new AtomicReferenceArray<>(size);
        sequences = new AtomicLongArray(size);
        for (int i = 0; i < size; i++) {
            sequences.set(i, i);
        }
    }

    /** The number of slots. */
    public int capacity() {
        return mask + 1;
    }

    /** Adds {@code e} if there is room. Thread-safe, lock-free. */
    public boolean offer(E e) {
        long pos = tail.get();
        while (true) {
            int index = (int) (pos & mask);
            long diff = sequences.get(index) - pos;
            if (diff == 0) {
                if (tail.compareAndSet(pos, pos + 1)) {
                    slots.lazySet(index, e);
                    sequences.set(index, pos + 1); // volatile: publishes the element to the consumer
                    return true;
                }
                pos = tail.get();
            } else if (diff < 0) {
                return false; // the slot still holds the element of the previous lap: full
            } else {
                pos = tail.get(); // another producer took this slot
            }
        }
    }

    /** Takes the oldest element, or null when none is ready. Single consumer only. */
    public E poll() {
        int index = (int) (head & mask);
        if (sequences.get(index) != head + 1) {
            return null; // empty, or its producer has claimed the slot but not yet filled it
        }
        E e = slots.get(index);
        slots.lazySet(index, null);
        sequences.set(index, head + mask + 1); // free for the producer of the next lap
        head++;
        headPublished = head;
        return e;
    }

    /** Whether no element is ready for the consumer. */
    public boolean isEmpty() {
        return tail.get() == headPublished;
    }

    /** Elements offered and not yet polled (approximate while producers are active). */
    public int size() {
        return (int) Math.max(0, tail.get() - headPublished);
    }
}
