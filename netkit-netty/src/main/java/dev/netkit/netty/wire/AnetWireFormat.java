package dev.netkit.netty.wire;

import dev.netkit.core.error.FrameTooLargeException;
import io.netty.buffer.ByteBuf;

/**
 * Wire format v1, byte-compatible with the Go library anet in both directions.
 *
 * <pre>
 *  0      2              6                     6+n
 *  +------+--------------+---------------------+
 *  | LEN  | correlation  | payload (n bytes)   |   LEN = 4 + n, unsigned 16-bit big-endian
 *  +------+--------------+---------------------+   correlation: 4 opaque bytes, echoed verbatim
 *
 *  request  00 09 | 00 00 00 07 | 68 65 6c 6c 6f      ("hello", id 7)
 *  response 00 09 | 00 00 00 07 | 68 65 6c 6c 6f
 * </pre>
 *
 * <ul>
 *   <li>Requests and responses have the same shape. A server copies the four correlation bytes of
 *       a request into its response unchanged; responses may come back in any order.</li>
 *   <li>The largest payload is {@value #MAX_PAYLOAD} bytes. {@code LEN < 4} is a protocol
 *       violation and closes the connection.</li>
 *   <li>There is no handshake, heartbeat or error frame: a request may get no answer, so clients
 *       need deadlines.</li>
 * </ul>
 */
public final class AnetWireFormat {
    /** Size of the LEN field. */
    public static final int LENGTH_FIELD_SIZE = 2;
    /** Size of the correlation field. */
    public static final int CORRELATION_SIZE = 4;
    /** LEN field plus correlation: the bytes in front of every payload. */
    public static final int HEADER_SIZE = LENGTH_FIELD_SIZE + CORRELATION_SIZE;
    /** The smallest legal LEN value: a frame with an empty payload. */
    public static final int MIN_LENGTH = CORRELATION_SIZE;
    /** The largest LEN value. */
    public static final int MAX_LENGTH = 0xFFFF;
    /** The largest payload a frame can carry: 65,531 bytes. */
    public static final int MAX_PAYLOAD = MAX_LENGTH - CORRELATION_SIZE;

    private AnetWireFormat() {}

    /**
     * Checks that a payload of {@code size} bytes fits in one frame.
     *
     * @throws FrameTooLargeException naming the size and the limit when it does not
     */
    public static void checkPayloadSize(int size) {
        if (size > MAX_PAYLOAD) {
            throw new FrameTooLargeException(size, MAX_PAYLOAD);
        }
    }

    /**
     * Appends one frame to {@code out}: header, then the readable bytes of {@code payload}
     * (not consumed, not released).
     *
     * @throws FrameTooLargeException before writing anything if the payload is too large
     */
    public static void writeFrame(ByteBuf out, int correlation, ByteBuf payload) {
        int n = payload.readableBytes();
        checkPayloadSize(n);
        out.ensureWritable(HEADER_SIZE + n);
        out.writeShort(CORRELATION_SIZE + n);
        out.writeInt(correlation);
        out.writeBytes(payload, payload.readerIndex(), n);
    }

    /** Like {@link #writeFrame(ByteBuf, int, ByteBuf)} for a byte array. */
    public static void writeFrame(ByteBuf out, int correlation, byte[] payload) {
        checkPayloadSize(payload.length);
        out.ensureWritable(HEADER_SIZE + payload.length);
        out.writeShort(CORRELATION_SIZE + payload.length);
        out.writeInt(correlation);
        out.writeBytes(payload);
    }
}
