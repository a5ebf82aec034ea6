package dev.netkit.gateway.internal.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;

/**
 * The handler of one session's connected upstream socket, on the session's event loop: replies go
 * back to the client from the listening socket (flushed once per read batch); an error on the
 * socket, such as the ICMP port-unreachable a connected UDP socket reports, ends the session.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private final UdpSessions sessions;
    private final UdpSession session;

    UpstreamHandler(UdpSessions sessions, UdpSession session) {
        this.sessions = sessions;
        this.session = session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof DatagramPacket packet) {
                sessions.fromUpstream(session, packet.content());
            } else if (msg instanceof ByteBuf content) { // some transports deliver a connected socket's reads bare
                sessions.fromUpstream(session, content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        sessions.flushSocket();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        sessions.upstreamFailed(session, cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        sessions.upstreamClosed(session);
    }
}
