package dev.netkit.gateway.config;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable byte string from the configuration (a route's prefix, a health probe). Written in
 * the file as hex ({@code prefix: "A0 01"}, {@code probe_hex: "..."}) or as UTF-8 text
 * ({@code text: "GET"}, {@code probe: "ping"}); equal when the bytes are.
 */
public final class Payload {
    /** No bytes: "not set" where a payload is optional. */
    public static final Payload EMPTY = new Payload(new byte[0]);

    private final byte[] bytes;

    private Payload(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A copy of {@code bytes}. */
    public static Payload of(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new Payload(bytes.clone());
    }

    /** The UTF-8 bytes of {@code text}. */
    public static Payload ofText(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Parses hex digits, upper or lower case; whitespace between them is ignored.
     *
     * @throws IllegalArgumentException saying which character is wrong, or that a digit is missing
     */
    public static Payload ofHex(String hex) {
        String digits = hex.replaceAll("\\s+", "");
        for (int i = 0; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), 16) < 0) {
                throw new IllegalArgumentException("bad hex \"" + hex + "\": '" + digits.charAt(i)
                        + "' is not a hex digit (expected pairs of 0-9, a-f)");
            }
        }
        if (digits.length() % 2 != 0) {
            throw new IllegalArgumentException("bad hex \"" + hex + "\": " + digits.length()
                    + " digits, expected an even number (two per byte)");
        }
        return of(HexFormat.of().parseHex(digits));
    }

    /** The number of bytes. */
    public int length() {
        return bytes.length;
    }

    /** Whether there are no bytes. */
    public boolean isEmpty() {
        return bytes.length == 0;
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Lower-case hex, no separators; {@code ""} when empty. */
    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    /** Whether {@code data[offset ..]} starts with these bytes. */
    public boolean matches(byte[] data, int offset) {
        return offset >= 0 && data.length - offset >= bytes.length
                && Arrays.equals(data, offset, offset + bytes.length, bytes, 0, bytes.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Payload p && Arrays.equals(bytes, p.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** The hex form. */
    @Override
    public String toString() {
        return hex();
    }
}
