package dev.netkit.netty.internal.udp;

import dev.netkit.netty.udp.Responder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/*
 * Design note. Allocating and releasing a pooled buffer per answer was the largest cost of the
 * UDP path (JMH -prof stack: about 40 % of the running time in Netty 4.2's adaptive allocator,
 * UdpPathBenchmark). So an I/O thread's slot keeps a small ring of answer buffers of its own and
 * hands them out again once the socket has sent them:
 *
 *   - the slot holds one reference to each ring buffer for as long as it lives; handing one out
 *     adds the caller's reference (refCnt 2), and whoever ends the answer (the socket after the
 *     send, or the server when it drops the answer) releases that one: refCnt 1 = free again;
 *   - reply() takes the next ring buffer when it is free (a volatile read of its count), else
 *     (still queued in the socket: a slow socket, or a batch longer than the ring) falls back to a
 *     fresh pooled buffer, so nothing waits and nothing is overwritten while queued;
 *   - the ring is sized so that it stays within RING_BYTES per thread.
 *
 * Per answer that is one atomic increment here and one decrement at the send, instead of the
 * allocator's bookkeeping twice. Netty's epoll channel writes a direct DatagramPacket's memory as
 * it is, so the buffer is the one sent (no copy).
 */
/** The reusable {@link Responder} of one thread: holds at most one answer buffer at a time, from its ring when one is free. */
public final class ReplySlot implements Responder {
    /** Direct memory one slot's ring may hold. */
    static final int RING_BYTES = 256 << 10;
    private static final int MAX_RING = 64;

    private final ByteBufAllocator allocator;
    private final int maxSize;
    private final ByteBuf[] ring; // length 0: no reuse (a slot per blocking job)
    private int next;
    private ByteBuf reply;

    /** A slot that reuses its answer buffers (one per I/O thread). */
    public ReplySlot(ByteBufAllocator allocator, int maxSize) {
        this(allocator, maxSize, true);
    }

    /** @param reuse false: every answer is a fresh pooled buffer (for a slot used once) */
    public ReplySlot(ByteBufAllocator allocator, int maxSize, boolean reuse) {
        this.allocator = allocator;
        this.maxSize = maxSize;
        this.ring = new ByteBuf[reuse ? Math.max(1, Math.min(MAX_RING, RING_BYTES / Math.max(1, maxSize))) : 0];
    }

    @Override
    public ByteBuf reply(int capacity) {
        if (reply == null) {
            if (capacity < 0 || capacity > maxSize) {
                throw new IllegalArgumentException("reply capacity: " + capacity + " (expected: 0.." + maxSize + ", maxDatagramSize)");
            }
            reply = ring.length == 0 ? allocator.directBuffer(capacity) : fromRing(capacity);
        }
        return reply;
    }

    private ByteBuf fromRing(int capacity) {
        int i = next;
        ByteBuf b = ring[i];
        if (b == null) {
            b = ring[i] = allocator.directBuffer(maxSize);
        } else if (b.refCnt() != 1) { // still queued in the socket: do not overwrite it
            return allocator.directBuffer(capacity);
        }
        next = i + 1 == ring.length ? 0 : i + 1;
        return b.clear().retain();
    }

    /** The answer written, or null; the slot is empty afterwards and the caller owns one reference to the buffer. */
    public ByteBuf take() {
        ByteBuf r = reply;
        reply = null;
        return r;
    }

    /** Releases an answer that will not be sent (the handler threw). */
    public void discard() {
        ByteBuf r = take();
        if (r != null) {
            r.release();
        }
    }

    /** Gives back the ring's buffers (those still queued in a socket go when the socket releases them). */
    public void close() {
        discard();
        for (int i = 0; i < ring.length; i++) {
            if (ring[i] != null) {
                ring[i].release();
                ring[i] = null;
            }
        }
    }
}
