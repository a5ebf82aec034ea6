package dev.netkit.netty.udp;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * A read-only view of one received datagram, valid only during the
 * {@link DatagramHandler#onDatagram} call that received it: the server reuses the view object
 * for the next datagram, and the bytes behind it go back to the pool when the call returns. Copy
 * what must outlive the call. Indexes are relative to the datagram's first byte; reads are
 * big-endian (network order) like Netty's.
 *
 * <p>Not thread-safe: one view per I/O thread (or per blocking call).
 */
public interface Datagram {
    /** Who sent it (the address replies go to). */
    InetSocketAddress sender();

    /** The payload length in bytes, 0 to {@link UdpServerConfig#maxDatagramSize()}. */
    int length();

    /** The byte at {@code index}. */
    byte getByte(int index);

    /** The big-endian 16-bit value at {@code index}. */
    short getShort(int index);

    /** The big-endian 32-bit value at {@code index}. */
    int getInt(int index);

    /** The big-endian 64-bit value at {@code index}. */
    long getLong(int index);

    /** Copies {@code length} bytes from {@code index} into {@code dst} at {@code dstIndex}. */
    void getBytes(int index, byte[] dst, int dstIndex, int length);

    /** Appends {@code length} bytes from {@code index} to {@code dst} (its writer index moves). */
    void copyTo(int index, int length, ByteBuf dst);

    /** Appends the whole payload to {@code dst} (its writer index moves). */
    default void copyTo(ByteBuf dst) {
        copyTo(0, length(), dst);
    }

    /**
     * The payload as a read-only buffer, for decoders that want a {@link ByteBuf}: do not retain or
     * release it, and do not keep it past the call. Allocates a small wrapper per call; the
     * accessors above do not.
     */
    ByteBuf content();
}
