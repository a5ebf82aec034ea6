package dev.netkit.core.ip;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * A client's address as 128 bits, IPv4 in its IPv4-mapped IPv6 form ({@code ::ffff:a.b.c.d}), so
 * that an IPv4 client is the same key whichever way the socket reports it. The key of
 * {@link IpAdmission}'s per-IP map.
 */
record IpKey(long hi, long lo) {
    private static final long MAPPED = 0xffffL << 32;

    static IpKey of(InetAddress address) {
        if (address instanceof Inet4Address v4) {
            return new IpKey(0, MAPPED | (ipv4Bits(v4) & 0xffff_ffffL));
        }
        byte[] b = address.getAddress();
        return new IpKey(bits(b, 0), bits(b, 8));
    }

    /** The address as a big-endian int; Inet4Address's hash code is exactly that, and reading it copies nothing. */
    static int ipv4Bits(Inet4Address address) {
        return address.hashCode();
    }

    private static long bits(byte[] b, int from) {
        long v = 0;
        for (int i = from; i < from + 8; i++) {
            v = v << 8 | (b[i] & 0xff);
        }
        return v;
    }

    /** Whether this is an IPv4 (or IPv4-mapped) address; then {@code (int) lo()} is the IPv4 address. */
    boolean isIpv4() {
        return hi == 0 && (lo & 0xffff_ffff_0000_0000L) == MAPPED;
    }

    @Override
    public String toString() {
        return isIpv4() ? IpText.formatIpv4(lo & 0xffff_ffffL) : IpText.formatIpv6(hi, lo);
    }
}
