package dev.netkit.core.balance;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Request keys for the hashing strategies ({@link Strategy#RING_HASH}, {@link Strategy#MAGLEV}):
 * well-mixed 64-bit hashes to pass to {@link Picker#pick(long)}. Every method is the XXH64 hash
 * (seed 0) of the key's bytes, so a key hashes the same in every JVM run, on every platform, and
 * as the reference xxHash library would hash the same bytes.
 */
public final class HashKeys {
    private HashKeys() {}

    /**
     * A numeric key (a user or session id): XXH64 of its 8 little-endian bytes. Allocation-free.
     * Equal to {@code of(bytes)} for those 8 bytes.
     */
    public static long of(long key) {
        return XxHash64.hashLong(key, 0);
    }

    /**
     * A text key: XXH64 of its UTF-8 encoding. Allocation-free when every char is ASCII;
     * otherwise the text is encoded first (unpaired surrogates encode as {@code '?'}, as in
     * {@link String#getBytes(java.nio.charset.Charset)}).
     */
    public static long of(CharSequence key) {
        Objects.requireNonNull(key, "key");
        for (int i = 0, n = key.length(); i < n; i++) {
            if (key.charAt(i) >= 0x80) {
                return of(key.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        return XxHash64.hashAscii(key, 0);
    }

    /** A text key: XXH64 of its UTF-8 encoding (the same value as {@link #of(CharSequence)}). */
    public static long of(String key) {
        return of((CharSequence) key);
    }

    /** A binary key: XXH64 of all its bytes. */
    public static long of(byte[] key) {
        Objects.requireNonNull(key, "key");
        return XxHash64.hash(key, 0, key.length, 0);
    }

    /**
     * A binary key inside a larger array: XXH64 of {@code key[offset, offset + length)}, equal to
     * {@link #of(byte[])} of those bytes alone.
     *
     * @throws IndexOutOfBoundsException if the range is not inside {@code key}
     */
    public static long of(byte[] key, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, key.length);
        return XxHash64.hash(key, offset, length, 0);
    }

    /**
     * A client's address, for source-address affinity on a server or gateway (HAProxy's
     * {@code balance source}): XXH64 of the address bytes. An IPv4-mapped IPv6 address
     * ({@code ::ffff:a.b.c.d}) hashes as the IPv4 address it carries, so a client keeps its
     * endpoint whichever way a dual-stack socket reports it. The port is not part of the key.
     */
    public static long of(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (isIpv4Mapped(bytes)) {
            return XxHash64.hash(bytes, 12, 4, 0);
        }
        return XxHash64.hash(bytes, 0, bytes.length, 0);
    }

    private static boolean isIpv4Mapped(byte[] a) {
        if (a.length != 16 || a[10] != (byte) 0xFF || a[11] != (byte) 0xFF) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
