package dev.netkit.netty.internal.client;

import io.netty.util.collection.IntObjectHashMap;

/**
 * The most recent correlation ids whose requests timed out or were cancelled, so that a late
 * response to one is recognised and discarded instead of being taken for a protocol violation.
 * Bounded: the oldest id is forgotten when full. Event-loop only.
 */
final class AbandonedIds {
    private final int[] ring;
    private final IntObjectHashMap<Boolean> ids;
    private int next;
    private int size;

    AbandonedIds(int capacity) {
        ring = new int[capacity];
        ids = new IntObjectHashMap<>(Math.min(capacity, 1024));
    }

    void add(int id) {
        if (size == ring.length) {
            ids.remove(ring[next]);
        } else {
            size++;
        }
        ring[next] = id;
        next = (next + 1) % ring.length;
        ids.put(id, Boolean.TRUE);
    }

    /** Removes {@code id} if it was abandoned; a second late response for it is then unknown. */
    boolean remove(int id) {
        return ids.remove(id) != null;
    }

    boolean contains(int id) {
        return ids.containsKey(id);
    }
}
