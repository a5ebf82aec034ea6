package dev.netkit.core.ip;

import java.util.Objects;

/**
 * One IPv4 or IPv6 network in CIDR notation: {@code 10.0.0.0/8}, {@code 2001:db8::/32}. A bare
 * address is a single host ({@code /32} or {@code /128}). A network inside {@code ::ffff:0:0/96}
 * (IPv4-mapped IPv6) is the IPv4 network it maps: {@code ::ffff:10.0.0.0/104} is
 * {@code 10.0.0.0/8}.
 *
 * <p>Parsing never looks a name up and is strict: bits set beyond the prefix
 * ({@code 10.0.0.1/8}) are refused rather than masked, since they usually mean a typo; so are
 * leading zeros in IPv4 octets and IPv6 zone ids. {@link #toString()} is the normal form (IPv6 as
 * RFC 5952), which {@link #parse} reads back to an equal value.
 *
 * <p>Immutable.
 */
public final class Cidr {
    private final boolean ipv6;
    private final long hi; // IPv6: the first 64 bits; IPv4: 0
    private final long lo; // IPv6: the last 64 bits; IPv4: the address, unsigned in the low 32 bits
    private final int prefixLength;

    private Cidr(boolean ipv6, long hi, long lo, int prefixLength) {
        this.ipv6 = ipv6;
        this.hi = hi;
        this.lo = lo;
        this.prefixLength = prefixLength;
    }

    /**
     * Parses {@code ADDRESS[/PREFIX]}.
     *
     * @throws IllegalArgumentException naming the text and what is wrong with it
     */
    public static Cidr parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.strip();
        int slash = t.indexOf('/');
        String address = slash < 0 ? t : t.substring(0, slash);
        IpText.Parsed a;
        try {
            a = IpText.parse(address);
        } catch (IllegalArgumentException e) {
            throw bad(t, e.getMessage());
        }
        int max = a.ipv6() ? 128 : 32;
        int prefix = slash < 0 ? max : prefix(t.substring(slash + 1), max, t);
        Cidr c = new Cidr(a.ipv6(), a.hi(), a.lo(), prefix);
        if (c.hostBitsSet()) {
            throw bad(t, "bits are set after the /" + prefix + " prefix (did you mean " + c.masked() + "?)");
        }
        return c.ipv6 && isMapped(c) ? new Cidr(false, 0, c.lo & 0xffff_ffffL, prefix - 96) : c;
    }

    private static int prefix(String s, int max, String text) {
        if (s.isEmpty() || s.length() > 3 || !s.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw bad(text, "prefix length \"" + s + "\" is not a number 0.." + max);
        }
        int p = Integer.parseInt(s);
        if (p > max) {
            throw bad(text, "prefix length " + p + " is out of range 0.." + max);
        }
        return p;
    }

    /** Inside {@code ::ffff:0:0/96}: first 80 bits zero, next 16 bits one, prefix covering them. */
    private static boolean isMapped(Cidr c) {
        return c.prefixLength >= 96 && c.hi == 0 && (c.lo >>> 32) == 0xffffL;
    }

    private static IllegalArgumentException bad(String text, String problem) {
        return new IllegalArgumentException("bad CIDR \"" + text + "\": " + problem);
    }

    private boolean hostBitsSet() {
        return (hi & ~maskHi()) != 0 || (lo & ~maskLo()) != 0;
    }

    private Cidr masked() {
        return new Cidr(ipv6, hi & maskHi(), lo & maskLo(), prefixLength);
    }

    private long maskHi() {
        if (!ipv6) {
            return 0;
        }
        return prefixLength == 0 ? 0 : prefixLength >= 64 ? -1L : -1L << (64 - prefixLength);
    }

    private long maskLo() {
        if (!ipv6) {
            return prefixLength == 0 ? 0 : (0xffff_ffffL << (32 - prefixLength)) & 0xffff_ffffL;
        }
        return prefixLength <= 64 ? 0 : prefixLength == 128 ? -1L : -1L << (128 - prefixLength);
    }

    /** Whether this is an IPv6 network (IPv4-mapped ones are IPv4). */
    public boolean isIpv6() {
        return ipv6;
    }

    /** The prefix length: 0..32 for IPv4, 0..128 for IPv6. */
    public int prefixLength() {
        return prefixLength;
    }

    // Range ends, for CidrSet: IPv4 in the low 32 bits of the "lo" values.
    long firstHi() {
        return hi;
    }

    long firstLo() {
        return lo;
    }

    long lastHi() {
        return ipv6 ? hi | ~maskHi() : 0;
    }

    long lastLo() {
        return ipv6 ? lo | ~maskLo() : lo | (~maskLo() & 0xffff_ffffL);
    }

    /** The normal form: {@code 10.0.0.0/8}, {@code 2001:db8::/32}, {@code 10.1.2.3/32}. */
    @Override
    public String toString() {
        return (ipv6 ? IpText.formatIpv6(hi, lo) : IpText.formatIpv4(lo)) + "/" + prefixLength;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.ipv6 == ipv6 && c.hi == hi && c.lo == lo && c.prefixLength == prefixLength;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(hi * 31 + lo) * 257 + prefixLength * 2 + (ipv6 ? 1 : 0);
    }
}
