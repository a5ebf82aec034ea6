package dev.netkit.netty.internal.health;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * A short, readable rendering of a payload for failure messages: {@code 4 bytes "pong"} when it is
 * printable UTF-8, {@code 3 bytes 0x01ff02} otherwise; long payloads are cut with {@code ...}.
 */
public final class Preview {
    private static final int MAX_CHARS = 32;
    private static final int MAX_HEX_BYTES = 16;

    private Preview() {}

    /** Renders {@code bytes}. */
    public static String of(byte[] bytes) {
        String size = bytes.length == 1 ? "1 byte" : bytes.length + " bytes";
        if (bytes.length == 0) {
            return size;
        }
        String text = printable(bytes);
        if (text != null) {
            return size + " \"" + (text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) + "..." : text) + "\"";
        }
        int shown = Math.min(bytes.length, MAX_HEX_BYTES);
        return size + " 0x" + HexFormat.of().formatHex(bytes, 0, shown) + (shown < bytes.length ? "..." : "");
    }

    /** The bytes as text if they are valid UTF-8 without control characters, else null. */
    private static String printable(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || c == '"') {
                return null; // a quote would make the rendering ambiguous
            }
        }
        return text;
    }
}
