package dev.netkit.netty.testing;

/**
 * Reads a fuzzer's byte array front to back as small numbers and byte runs, so that seed files
 * can be written by hand in the order the target reads them. Past the end every number is 0 and
 * every run is empty: any byte array is a valid input.
 */
public final class FuzzInput {
    private final byte[] data;
    private int pos;

    public FuzzInput(byte[] data) {
        this.data = data;
    }

    public boolean hasMore() {
        return pos < data.length;
    }

    /** The next byte, 0..255. */
    public int u8() {
        return pos < data.length ? data[pos++] & 0xFF : 0;
    }

    /** The next two bytes, big-endian, 0..65535. */
    public int u16() {
        return (u8() << 8) | u8();
    }

    /** The next four bytes, big-endian. */
    public int i32() {
        return (u16() << 16) | u16();
    }

    /** Up to {@code n} next bytes (fewer at the end). */
    public byte[] bytes(int n) {
        int k = Math.max(0, Math.min(n, data.length - pos));
        byte[] out = java.util.Arrays.copyOfRange(data, pos, pos + k);
        pos += k;
        return out;
    }

    /** Everything not read yet. */
    public byte[] rest() {
        return bytes(data.length - pos);
    }
}
