package dev.netkit.core.ip;

/**
 * Strict textual IP addresses, parsed without any name lookup: IPv4 as four decimal octets (no
 * leading zeros, which some tools read as octal), IPv6 as RFC 4291 text (hex groups, one
 * {@code ::}, an optional dotted IPv4 tail; no zone id). Formatting follows RFC 5952.
 *
 * <p>An address is held as 128 bits in two longs, {@code hi} and {@code lo}; IPv4 addresses are
 * returned with {@code ipv6 == false} and the address in the low 32 bits of {@code lo}.
 */
final class IpText {
    /** The result of a parse: the family and 128 bits (IPv4: the low 32 of {@code lo}). */
    record Parsed(boolean ipv6, long hi, long lo) {}

    private IpText() {}

    static Parsed parse(String text) {
        if (text.indexOf(':') >= 0) {
            return ipv6(text);
        }
        return new Parsed(false, 0, ipv4(text, text) & 0xffff_ffffL);
    }

    /** Four decimal octets; {@code whole} is the text named in errors. */
    static int ipv4(String s, String whole) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            throw bad(whole, "an IPv4 address has four dot-separated numbers, got " + parts.length);
        }
        int value = 0;
        for (String p : parts) {
            value = value << 8 | octet(p, whole);
        }
        return value;
    }

    private static int octet(String p, String whole) {
        if (p.isEmpty() || p.length() > 3 || !allDigits(p)) {
            throw bad(whole, "\"" + p + "\" is not a number 0..255");
        }
        if (p.length() > 1 && p.charAt(0) == '0') {
            throw bad(whole, "\"" + p + "\" has a leading zero (ambiguous: some tools read it as octal)");
        }
        int v = Integer.parseInt(p);
        if (v > 255) {
            throw bad(whole, "octet " + v + " is out of range 0..255");
        }
        return v;
    }

    private static Parsed ipv6(String s) {
        if (s.indexOf('%') >= 0) {
            throw bad(s, "a zone id (%...) is not allowed");
        }
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            throw bad(s, "\"::\" may appear only once");
        }
        int[] head = groups(gap < 0 ? s : s.substring(0, gap), s, gap < 0);
        int[] tail = gap < 0 ? new int[0] : groups(s.substring(gap + 2), s, true);
        int count = head.length + tail.length;
        if (gap < 0 && count != 8) {
            throw bad(s, "an IPv6 address has eight groups (or \"::\"), got " + count);
        }
        if (gap >= 0 && count > 7) {
            throw bad(s, "too many groups around \"::\" (" + count + ", at most 7)");
        }
        int[] all = new int[8];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, 8 - tail.length, tail.length);
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 4; i++) {
            hi = hi << 16 | all[i];
            lo = lo << 16 | all[i + 4];
        }
        return new Parsed(true, hi, lo);
    }

    /** Colon-separated 16-bit groups; the last may be a dotted IPv4 address (two groups). */
    private static int[] groups(String part, String whole, boolean v4TailAllowed) {
        if (part.isEmpty()) {
            return new int[0];
        }
        String[] texts = part.split(":", -1);
        boolean v4Tail = texts[texts.length - 1].indexOf('.') >= 0;
        if (v4Tail && !v4TailAllowed) {
            throw bad(whole, "a dotted IPv4 part may only end the address");
        }
        int[] out = new int[texts.length + (v4Tail ? 1 : 0)];
        for (int i = 0; i < texts.length; i++) {
            String g = texts[i];
            if (i == texts.length - 1 && v4Tail) {
                int v4 = ipv4(g, whole);
                out[i] = v4 >>> 16;
                out[i + 1] = v4 & 0xffff;
            } else if (g.isEmpty() || g.length() > 4 || !allHex(g)) {
                throw bad(whole, "\"" + g + "\" is not a group of 1 to 4 hex digits");
            } else {
                out[i] = Integer.parseInt(g, 16);
            }
        }
        return out;
    }

    private static boolean allDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean allHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /** The problem only: the caller names the text ({@link Cidr#parse}). */
    static IllegalArgumentException bad(String text, String problem) {
        return new IllegalArgumentException(problem);
    }

    static String formatIpv4(long address) {
        return (address >>> 24 & 0xff) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff);
    }

    /** RFC 5952: lower case, no leading zeros, the longest run of two or more zero groups as {@code ::}. */
    static String formatIpv6(long hi, long lo) {
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (hi >>> (48 - 16 * i)) & 0xffff;
            g[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xffff;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; i++) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = Math.max(i, j);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
