package dev.netkit.gateway.internal.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.Inet4Address;
import java.net.InetSocketAddress;

/**
 * Writes the PROXY protocol v2 header (HAProxy's proxy-protocol.txt, section 2.2) that tells an
 * upstream who the client is:
 *
 * <pre>
 *  0                  12     13     14      16                 16+len
 *  +------------------+------+------+-------+--------------------+
 *  | signature (12 B) | 0x21 | fam  | len   | src addr, dst addr, |   0x21 = version 2, PROXY
 *  | \r\n\r\n\0\r\nQUIT\n |   |      | u16   | src port, dst port  |   fam 0x11 = TCP over IPv4 (len 12)
 *  +------------------+------+------+-------+--------------------+       0x21 = TCP over IPv6 (len 36)
 * </pre>
 *
 * Mixed families (an IPv4 client on an IPv6 listener) are sent as IPv6 with v4-mapped addresses.
 */
public final class ProxyProtocolV2 {
    private static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final int VERSION_2_PROXY = 0x21;
    private static final int TCP_OVER_IPV4 = 0x11;
    private static final int TCP_OVER_IPV6 = 0x21;

    private ProxyProtocolV2() {}

    /** The header for a connection from {@code client} that arrived at {@code local}. */
    public static ByteBuf header(ByteBufAllocator alloc, InetSocketAddress client, InetSocketAddress local) {
        boolean v4 = client.getAddress() instanceof Inet4Address && local.getAddress() instanceof Inet4Address;
        int addressBytes = v4 ? 12 : 36;
        ByteBuf out = alloc.buffer(16 + addressBytes);
        out.writeBytes(SIGNATURE);
        out.writeByte(VERSION_2_PROXY);
        out.writeByte(v4 ? TCP_OVER_IPV4 : TCP_OVER_IPV6);
        out.writeShort(addressBytes);
        out.writeBytes(address(client, v4));
        out.writeBytes(address(local, v4));
        out.writeShort(client.getPort());
        out.writeShort(local.getPort());
        return out;
    }

    private static byte[] address(InetSocketAddress a, boolean v4) {
        byte[] raw = a.getAddress().getAddress();
        if (v4 || raw.length == 16) {
            return raw;
        }
        byte[] mapped = new byte[16]; // ::ffff:a.b.c.d
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        System.arraycopy(raw, 0, mapped, 12, 4);
        return mapped;
    }
}
