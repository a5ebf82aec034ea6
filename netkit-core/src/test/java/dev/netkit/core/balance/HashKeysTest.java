package dev.netkit.core.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * HashKeys and XXH64: values pinned against the reference library, consistency between the
 * input kinds, distinct outputs and avalanche.
 */
class HashKeysTest {
    private static final long SEED = Long.getLong("netkit.seed", System.nanoTime());

    private static long xxh64(String s, long seed) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return XxHash64.hash(b, 0, b.length, seed);
    }

    @Test
    void matchesTheReferenceXxh64() {
        // Computed with libxxhash 0.8.1 (XXH64): every code path (< 4, 4..7, 8..31, >= 32 bytes).
        assertThat(xxh64("", 0)).isEqualTo(0xEF46DB3751D8E999L);
        assertThat(xxh64("a", 0)).isEqualTo(0xD24EC4F1A98C6E5BL);
        assertThat(xxh64("abc", 0)).isEqualTo(0x44BC2CF5AD770999L);
        assertThat(xxh64("abc", 1)).isEqualTo(0xBEA9CA8199328908L);
        assertThat(xxh64("10.0.0.1:7000", 0)).isEqualTo(0x26B7DE95C9F6AE7AL);
        assertThat(xxh64("10.0.0.1:7000", 1)).isEqualTo(0xEC0F1DDFF6F15A2DL);
        assertThat(xxh64("0123456789abcdef0123456789abcdefXYZ!", 0)).isEqualTo(0x045C287B1BDAB58DL);
    }

    @Test
    void pinnedKeys() {
        // The same reference values through the public API: stable across JVM runs and versions.
        assertThat(HashKeys.of(0L)).isEqualTo(0x34C96ACDCADB1BBBL);
        assertThat(HashKeys.of(42L)).isEqualTo(0xB556806FB6D14353L);
        assertThat(HashKeys.of(-1L)).isEqualTo(0x85D136ADB773C6C9L);
        assertThat(HashKeys.of("abc")).isEqualTo(0x44BC2CF5AD770999L);
        assertThat(HashKeys.of("h\u00e9llo w\u00f6rld \u20ac")).as("UTF-8 of non-ASCII").isEqualTo(0x196B12C530801127L);
        assertThat(HashKeys.of(new byte[] {(byte) 192, (byte) 168, 1, 1})).isEqualTo(0x254A600AB8EBA193L);
    }

    @Test
    void eachInputKindAgreesWithItsBytes() throws UnknownHostException {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int length = 0; length <= 100; length++) {
            StringBuilder ascii = new StringBuilder();
            for (int i = 0; i < length; i++) {
                ascii.append((char) random.nextInt(0x80));
            }
            byte[] bytes = ascii.toString().getBytes(StandardCharsets.UTF_8);
            assertThat(HashKeys.of(ascii)).as("length %d, seed=%d", length, SEED).isEqualTo(HashKeys.of(bytes));
            assertThat(HashKeys.of(ascii.toString())).isEqualTo(HashKeys.of(bytes));
            String unicode = ascii + "\u00e9\u4e2d";
            assertThat(HashKeys.of(new StringBuilder(unicode))).isEqualTo(HashKeys.of(unicode.getBytes(StandardCharsets.UTF_8)));
        }
        for (int i = 0; i < 1000; i++) {
            long v = random.nextLong();
            byte[] le = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
            assertThat(HashKeys.of(v)).isEqualTo(HashKeys.of(le));
        }
        InetAddress v4 = InetAddress.getByName("192.168.1.1");
        assertThat(HashKeys.of(v4)).isEqualTo(0x254A600AB8EBA193L);
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 192, (byte) 168, 1, 1};
        assertThat(HashKeys.of(Inet6Address.getByAddress(null, mapped, -1))).as("IPv4-mapped IPv6").isEqualTo(HashKeys.of(v4));
        InetAddress v6 = InetAddress.getByName("2001:db8::1");
        assertThat(HashKeys.of(v6)).isEqualTo(HashKeys.of(v6.getAddress())).isNotEqualTo(HashKeys.of(v4));
    }

    @Test
    void distinctInputsGiveDistinctHashes() {
        Set<Long> numbers = new HashSet<>();
        Set<Long> texts = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            numbers.add(HashKeys.of((long) i));
            texts.add(HashKeys.of("session-" + i));
        }
        assertThat(numbers).hasSize(100_000);
        assertThat(texts).hasSize(100_000);
        assertThat(HashKeys.of("ab")).isNotEqualTo(HashKeys.of("ba"));
    }

    @Test
    void flippingAnyInputBitFlipsEachOutputBitAboutHalfTheTime() {
        SplittableRandom random = new SplittableRandom(SEED);
        int samples = 2000;
        int[][] flips = new int[64][64];
        for (int s = 0; s < samples; s++) {
            long x = random.nextLong();
            long h = HashKeys.of(x);
            for (int in = 0; in < 64; in++) {
                long diff = h ^ HashKeys.of(x ^ (1L << in));
                for (int out = 0; out < 64; out++) {
                    flips[in][out] += (int) ((diff >>> out) & 1);
                }
            }
        }
        // Each cell is binomial(2000, 1/2): sigma 22, so 0.4..0.6 (200 away) is 9 sigma.
        for (int in = 0; in < 64; in++) {
            for (int out = 0; out < 64; out++) {
                assertThat(flips[in][out] / (double) samples).as("input bit %d -> output bit %d, seed=%d", in, out, SEED)
                        .isBetween(0.4, 0.6);
            }
        }
    }
}
