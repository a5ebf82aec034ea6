package dev.netkit.core.balance;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/*
 * XXH64 (Yann Collet's xxHash, 64-bit variant), written from the published specification
 * (doc/xxhash_spec.md in Cyan4973/xxHash). Its values match the reference library bit for bit
 * (XxHash64Test pins some), so they are stable across JVMs, platforms and languages.
 *
 * One implementation serves two inputs without copying: a byte array, and a CharSequence whose
 * chars are all ASCII (then its UTF-8 bytes are its chars). The readers below dispatch on the
 * input's type; the JIT sees at most two receivers per call site.
 */
/** The XXH64 hash of bytes, of an ASCII char sequence (as its UTF-8 bytes) or of a long. */
final class XxHash64 {
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private XxHash64() {}

    /** XXH64 of {@code length} bytes of {@code bytes} from {@code offset}. */
    static long hash(byte[] bytes, int offset, int length, long seed) {
        return hash((Object) bytes, offset, length, seed);
    }

    /** XXH64 of the UTF-8 encoding of {@code ascii}, every char of which must be below 0x80. */
    static long hashAscii(CharSequence ascii, long seed) {
        return hash(ascii, 0, ascii.length(), seed);
    }

    /** XXH64 of the 8 little-endian bytes of {@code value} (equal to hashing those bytes). */
    static long hashLong(long value, long seed) {
        long h = seed + P5 + 8;
        h ^= round(0, value);
        h = Long.rotateLeft(h, 27) * P1 + P4;
        return avalanche(h);
    }

    private static long hash(Object in, int offset, int length, long seed) {
        int p = offset;
        int end = offset + length;
        long h;
        if (length >= 32) {
            long v1 = seed + P1 + P2;
            long v2 = seed + P2;
            long v3 = seed;
            long v4 = seed - P1;
            int limit = end - 32;
            do {
                v1 = round(v1, i64(in, p));
                v2 = round(v2, i64(in, p + 8));
                v3 = round(v3, i64(in, p + 16));
                v4 = round(v4, i64(in, p + 24));
                p += 32;
            } while (p <= limit);
            h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
            h = merge(h, v1);
            h = merge(h, v2);
            h = merge(h, v3);
            h = merge(h, v4);
        } else {
            h = seed + P5;
        }
        h += length;
        for (; p + 8 <= end; p += 8) {
            h ^= round(0, i64(in, p));
            h = Long.rotateLeft(h, 27) * P1 + P4;
        }
        if (p + 4 <= end) {
            h ^= u32(in, p) * P1;
            h = Long.rotateLeft(h, 23) * P2 + P3;
            p += 4;
        }
        for (; p < end; p++) {
            h ^= u8(in, p) * P5;
            h = Long.rotateLeft(h, 11) * P1;
        }
        return avalanche(h);
    }

    private static long round(long acc, long lane) {
        acc += lane * P2;
        acc = Long.rotateLeft(acc, 31);
        return acc * P1;
    }

    private static long merge(long acc, long v) {
        acc ^= round(0, v);
        return acc * P1 + P4;
    }

    private static long avalanche(long h) {
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        return h ^ (h >>> 32);
    }

    private static long i64(Object in, int at) {
        if (in instanceof byte[] bytes) {
            return (long) LONG_LE.get(bytes, at);
        }
        return u32(in, at) | (u32(in, at + 4) << 32);
    }

    private static long u32(Object in, int at) {
        if (in instanceof byte[] bytes) {
            return Integer.toUnsignedLong((int) INT_LE.get(bytes, at));
        }
        CharSequence s = (CharSequence) in;
        return s.charAt(at) | (long) s.charAt(at + 1) << 8 | (long) s.charAt(at + 2) << 16 | (long) s.charAt(at + 3) << 24;
    }

    private static long u8(Object in, int at) {
        if (in instanceof byte[] bytes) {
            return bytes[at] & 0xFF;
        }
        return ((CharSequence) in).charAt(at);
    }
}
