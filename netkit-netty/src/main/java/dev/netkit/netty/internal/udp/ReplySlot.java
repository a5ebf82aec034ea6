package dev.netkit.netty.internal.udp;

import dev.netkit.netty.udp.Responder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** The reusable {@link Responder} of one thread: holds at most one pooled answer buffer at a time. */
public final class ReplySlot implements Responder {
    private final ByteBufAllocator allocator;
    private final int maxSize;
    private ByteBuf reply;

    public ReplySlot(ByteBufAllocator allocator, int maxSize) {
        this.allocator = allocator;
        this.maxSize = maxSize;
    }

    @Override
    public ByteBuf reply(int capacity) {
        if (reply == null) {
            if (capacity < 0 || capacity > maxSize) {
                throw new IllegalArgumentException("reply capacity: " + capacity + " (expected: 0.." + maxSize + ", maxDatagramSize)");
            }
            reply = allocator.directBuffer(capacity);
        }
        return reply;
    }

    /** The answer written, or null; the slot is empty afterwards and the caller owns the buffer. */
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
}
