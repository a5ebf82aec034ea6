package dev.netkit.netty.internal;

import java.util.concurrent.atomic.LongAdder;
import static dev.netkit.netty.wire.AnetWireFormat.CORRELATION_SIZE;
import static dev.netkit.netty.wire.AnetWireFormat.HEADER_SIZE;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/*
 * Write coalescing. Small frames are appended to one buffer per flush instead of being written
 * one ByteBuf each: on these machines that made a bare Netty client 1.5x faster (netty-probe.md),
 * because each ByteBuf costs an outbound-buffer entry and an iovec. Payloads above
 * COPY_THRESHOLD are not copied: the batch so far is written, then the payload itself.
 * A batch is capped at MAX_BATCH bytes so one flush never pins unbounded memory.
 *
 * Threading: event loop only. Callers must check the payload size first (AnetWireFormat).
 */
/** Accumulates outgoing v1 frames and writes them with as few buffers and syscalls as possible. */
public final class FrameBatchWriter {
    static final int COPY_THRESHOLD = 2048;
    private static final int MIN_BATCH = 256;
    private static final int MAX_BATCH = 64 * 1024;

    private ByteBuf batch;
    private boolean unflushed;
    /**
     * Capacity for the next batch: the size of the last one plus a quarter. One request per read
     * (depth 1) then allocates ~256 bytes instead of a fixed 4 KiB, and deep pipelines rarely
     * have to grow a batch mid-way.
     */
    private int sizeHint = MIN_BATCH;
    /** Where the bytes handed to the channel are counted (once per batch, not per frame), or null. */
    private final LongAdder bytesOut;

    /** A writer that counts nothing. */
    public FrameBatchWriter() {
        this(null);
    }

    /** A writer that adds the bytes it hands to the channel to {@code bytesOut} (null: none). */
    public FrameBatchWriter(LongAdder bytesOut) {
        this.bytesOut = bytesOut;
    }

    /**
     * Appends a frame whose payload is the readable bytes of {@code payload} (not released).
     * All or nothing: if the payload cannot be read (for example it was already released), the
     * exception propagates and no byte of this frame is left in the batch.
     */
    public void write(ChannelHandlerContext ctx, int correlation, ByteBuf payload) {
        int n = payload.readableBytes();
        if (n > COPY_THRESHOLD) {
            ByteBuf body = payload.retainedSlice(); // first: throws before any header is written
            try {
                room(ctx, HEADER_SIZE).writeShort(CORRELATION_SIZE + n).writeInt(correlation);
            } catch (RuntimeException e) {
                body.release();
                throw e;
            }
            writeBatch(ctx);
            if (bytesOut != null) {
                bytesOut.add(n);
            }
            ctx.write(body, ctx.voidPromise());
            // Again: a flush re-entered from the header's write (an EmbeddedChannel runs pending
            // tasks inside write) cleared the flag, and the body must not stay unflushed.
            unflushed = true;
            return;
        }
        ByteBuf b = room(ctx, HEADER_SIZE + n);
        int mark = b.writerIndex();
        try {
            b.writeShort(CORRELATION_SIZE + n).writeInt(correlation).writeBytes(payload, payload.readerIndex(), n);
        } catch (RuntimeException e) {
            b.writerIndex(mark);
            throw e;
        }
    }

    /** Appends a frame with a byte-array payload. */
    public void write(ChannelHandlerContext ctx, int correlation, byte[] payload) {
        room(ctx, HEADER_SIZE + payload.length)
                .writeShort(CORRELATION_SIZE + payload.length)
                .writeInt(correlation)
                .writeBytes(payload);
    }

    /** Whether frames were written since the last flush. */
    public boolean hasPending() {
        return batch != null || unflushed;
    }

    /** Writes the open batch and flushes the channel if anything was written. */
    public void flush(ChannelHandlerContext ctx) {
        writeBatch(ctx);
        if (unflushed) {
            unflushed = false;
            ctx.flush();
        }
    }

    /** Drops the open batch without writing it (connection closing). */
    public void discard() {
        if (batch != null) {
            batch.release();
            batch = null;
        }
        unflushed = false;
    }

    private ByteBuf room(ChannelHandlerContext ctx, int bytes) {
        if (batch != null && batch.writerIndex() + bytes > MAX_BATCH) {
            writeBatch(ctx);
        }
        if (batch == null) {
            batch = ctx.alloc().directBuffer(Math.max(sizeHint, bytes));
        }
        return batch;
    }

    private void writeBatch(ChannelHandlerContext ctx) {
        if (batch != null) {
            ByteBuf b = batch;
            batch = null;
            unflushed = true;
            int used = b.readableBytes();
            sizeHint = Math.max(MIN_BATCH, Math.min(MAX_BATCH, used + (used >> 2)));
            if (bytesOut != null) {
                bytesOut.add(used);
            }
            ctx.write(b, ctx.voidPromise());
        }
    }
}
