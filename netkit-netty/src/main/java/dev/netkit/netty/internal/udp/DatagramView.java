package dev.netkit.netty.internal.udp;

import dev.netkit.netty.udp.Datagram;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.Objects;

/** The reusable {@link Datagram} of one thread: re-pointed at each datagram, never allocated per packet. */
public final class DatagramView implements Datagram {
    private ByteBuf buffer;
    private int offset;
    private int length;
    private InetSocketAddress sender;

    /** Points the view at {@code content}'s readable bytes (not retained: valid while the caller holds it). */
    public DatagramView set(ByteBuf content, InetSocketAddress from) {
        buffer = content;
        offset = content.readerIndex();
        length = content.readableBytes();
        sender = from;
        return this;
    }

    /** Drops the references once the call is over, so nothing stale can be read through the view. */
    public void clear() {
        buffer = null;
        sender = null;
        length = 0;
    }

    @Override
    public InetSocketAddress sender() {
        return sender;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public byte getByte(int index) {
        return buffer.getByte(at(index, 1));
    }

    @Override
    public short getShort(int index) {
        return buffer.getShort(at(index, 2));
    }

    @Override
    public int getInt(int index) {
        return buffer.getInt(at(index, 4));
    }

    @Override
    public long getLong(int index) {
        return buffer.getLong(at(index, 8));
    }

    @Override
    public void getBytes(int index, byte[] dst, int dstIndex, int count) {
        buffer.getBytes(at(index, count), dst, dstIndex, count);
    }

    @Override
    public void copyTo(int index, int count, ByteBuf dst) {
        dst.writeBytes(buffer, at(index, count), count);
    }

    @Override
    public ByteBuf content() {
        return buffer.slice(offset, length).asReadOnly();
    }

    private int at(int index, int count) {
        Objects.checkFromIndexSize(index, count, length); // the datagram's bounds, not the shared read buffer's
        return offset + index;
    }
}
