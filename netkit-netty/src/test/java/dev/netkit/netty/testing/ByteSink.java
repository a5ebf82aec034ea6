package dev.netkit.netty.testing;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * A byte stream a fuzz target records into and resets for the next input, so that the array is
 * allocated (and zeroed) once per run rather than grown from nothing for every input.
 */
public final class ByteSink {
    private byte[] buf;
    private int size;

    public ByteSink(int initialCapacity) {
        buf = new byte[initialCapacity];
    }

    public void reset() {
        size = 0;
    }

    public int size() {
        return size;
    }

    /** The array behind the stream; only its first {@link #size()} bytes are the stream. */
    public byte[] array() {
        return buf;
    }

    public void write(byte[] b, int from, int length) {
        ensure(length);
        System.arraycopy(b, from, buf, size, length);
        size += length;
    }

    /** Appends the readable bytes of {@code b} without changing its indexes. */
    public void write(ByteBuf b) {
        int length = b.readableBytes();
        ensure(length);
        b.getBytes(b.readerIndex(), buf, size, length);
        size += length;
    }

    private void ensure(int length) {
        if (buf.length - size < length) {
            buf = Arrays.copyOf(buf, Math.max(2 * buf.length, size + length));
        }
    }
}
