package dev.netkit.netty.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A reference parser of wire format v1 byte streams, written apart from the code under test. */
public final class WireFrames {
    private WireFrames() {}

    /** One frame: its correlation and payload. Equal when both are. */
    public record Frame(int correlation, byte[] payload) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Frame f && f.correlation == correlation && Arrays.equals(f.payload, payload);
        }

        @Override
        public int hashCode() {
            return 31 * correlation + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "Frame[" + Integer.toUnsignedString(correlation) + ", " + payload.length + " bytes]";
        }

        /** The frame's bytes on the wire. */
        public byte[] encode() {
            byte[] b = new byte[6 + payload.length];
            int len = 4 + payload.length;
            b[0] = (byte) (len >>> 8);
            b[1] = (byte) len;
            b[2] = (byte) (correlation >>> 24);
            b[3] = (byte) (correlation >>> 16);
            b[4] = (byte) (correlation >>> 8);
            b[5] = (byte) correlation;
            System.arraycopy(payload, 0, b, 6, payload.length);
            return b;
        }
    }

    /**
     * @param frames    the complete frames, in order, up to the first bad LEN
     * @param badLength the first LEN below 4, or -1 when there is none
     * @param trailing  bytes after the last complete frame when there is no bad LEN (an incomplete frame)
     */
    public record Parsed(List<Frame> frames, int badLength, int trailing) {}

    public static Parsed parse(byte[] s) {
        return parse(s, s.length);
    }

    /** Parses the first {@code length} bytes of {@code s}. */
    public static Parsed parse(byte[] s, int length) {
        List<Frame> frames = new ArrayList<>();
        int i = 0;
        while (length - i >= 2) {
            int len = ((s[i] & 0xFF) << 8) | (s[i + 1] & 0xFF);
            if (len < 4) {
                return new Parsed(frames, len, 0);
            }
            if (length - i - 2 < len) {
                break;
            }
            int correlation = ((s[i + 2] & 0xFF) << 24) | ((s[i + 3] & 0xFF) << 16) | ((s[i + 4] & 0xFF) << 8) | (s[i + 5] & 0xFF);
            frames.add(new Frame(correlation, Arrays.copyOfRange(s, i + 6, i + 2 + len)));
            i += 2 + len;
        }
        return new Parsed(frames, -1, length - i);
    }

    /** Whether both hold the same frames, each as often, in any order (linear: a fuzz target runs it per input). */
    public static boolean sameInAnyOrder(List<Frame> a, List<Frame> b) {
        if (a.size() != b.size()) {
            return false;
        }
        Map<Frame, Integer> counts = new HashMap<>();
        a.forEach(f -> counts.merge(f, 1, Integer::sum));
        for (Frame f : b) {
            Integer n = counts.get(f);
            if (n == null) {
                return false;
            }
            if (n == 1) {
                counts.remove(f);
            } else {
                counts.put(f, n - 1);
            }
        }
        return counts.isEmpty();
    }
}
