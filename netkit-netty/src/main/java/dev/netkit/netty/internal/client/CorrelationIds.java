package dev.netkit.netty.internal.client;

import java.util.function.IntPredicate;

/**
 * Hands out a connection's correlation ids: 1, 2, 3, ... like anet, wrapping after 2^32. Until
 * the first wrap no id can repeat, so nothing is checked; after it, ids that are still in use
 * (in flight, or abandoned and maybe still answered late) are skipped. Event-loop only.
 */
final class CorrelationIds {
    private final int first;
    private int next;
    private boolean wrapped;

    CorrelationIds() {
        this(1);
    }

    /** Starts at {@code first}; tests use this to reach the wrap. */
    CorrelationIds(int first) {
        this.first = first;
        this.next = first;
    }

    /**
     * Whether {@code id} was certainly handed out already: true for every id below the counter
     * until it first wraps; after that, every id was, so nothing can be told from the id alone.
     */
    boolean issuedBeforeWrap(int id) {
        return !wrapped && Integer.compareUnsigned(id - first, next - first) < 0;
    }

    /** The next id for which {@code taken} is false once ids have wrapped. */
    int next(IntPredicate taken) {
        int id = next++;
        if (wrapped) {
            while (taken.test(id)) {
                id = next++;
            }
        }
        if (id == -1) {
            wrapped = true; // 0xFFFFFFFF: every id has been handed out once
        }
        return id;
    }
}
