package dev.netkit.netty.internal.tls;

import dev.netkit.netty.internal.RateLimitedLog;
import dev.netkit.netty.tls.TlsFailure;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.SocketAddress;

/**
 * On a plaintext port, looks at the first bytes of a connection once: a TLS ClientHello there
 * would otherwise read as a frame of length 0x1603 = 5635 and wait for its read timeout. It closes
 * such a connection at once (counted {@code tls_on_plaintext_port}, logged) and otherwise removes
 * itself, so it costs nothing after the first read.
 *
 * <p>The test is 9 bytes of a TLS record header and handshake header: type 0x16, version 3.0-3.4,
 * a record length up to 2^14 + 2048, handshake type 1 (ClientHello) and a handshake length below
 * 64 KiB. A v1 frame matches only with length 5635, a correlation id shaped like 0x0?LLLL01 and a
 * payload starting 0x00: no netkit client produces that as its first frame. Fewer than 9 bytes
 * that match so far are held until more arrive. Event loop only.
 */
public final class PlaintextPortGuard extends ChannelInboundHandlerAdapter {
    private static final int SNIFF = 9;

    private final TlsCounters counters;
    private final TlsEvents events;
    private final RateLimitedLog warnings;
    private final SocketAddress peer;
    private ByteBuf held;

    public PlaintextPortGuard(TlsCounters counters, TlsEvents events, RateLimitedLog warnings, SocketAddress peer) {
        this.counters = counters;
        this.events = events;
        this.warnings = warnings;
        this.peer = peer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        if (held != null) {
            ByteBuf merged = ctx.alloc().buffer(held.readableBytes() + in.readableBytes()).writeBytes(held).writeBytes(in);
            held.release();
            in.release();
            held = null;
            in = merged;
        }
        int prefix = matchingPrefix(in);
        if (prefix >= SNIFF) {
            in.release();
            refuse(ctx);
        } else if (prefix == in.readableBytes()) {
            held = in; // all of it may still be a ClientHello: wait for more
        } else {
            ctx.pipeline().remove(this);
            ctx.fireChannelRead(in);
        }
    }

    private void refuse(ChannelHandlerContext ctx) {
        counters.failed(TlsFailure.TLS_ON_PLAINTEXT_PORT);
        ctx.channel().attr(ServerTls.FAILURE).set(TlsFailure.TLS_ON_PLAINTEXT_PORT.label());
        events.failed(peer, TlsFailure.TLS_ON_PLAINTEXT_PORT, "TLS ClientHello on a plaintext port");
        warnings.warn("closing connection from " + peer + ": it sent a TLS ClientHello to this plaintext port"
                + " (tls_on_plaintext_port)" + TlsFailures.hint(TlsFailure.TLS_ON_PLAINTEXT_PORT), null);
        ctx.close();
    }

    /** How many of the first bytes (up to 9) look like the start of a ClientHello. */
    static int matchingPrefix(ByteBuf b) {
        int n = Math.min(SNIFF, b.readableBytes());
        int at = b.readerIndex();
        for (int i = 0; i < n; i++) {
            int v = b.getUnsignedByte(at + i);
            boolean ok = switch (i) {
                case 0 -> v == 0x16;
                case 1 -> v == 0x03;
                case 2 -> v <= 0x04;
                case 3 -> v <= 0x48; // record length high byte: at most 2^14 + 2048
                case 4 -> (b.getUnsignedByte(at + 3) << 8 | v) >= 4;
                case 5 -> v == 0x01; // ClientHello
                case 6 -> v == 0x00;
                default -> true;
            };
            if (!ok) {
                return i;
            }
        }
        return n;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (held != null) {
            held.release();
            held = null;
        }
    }
}
