package dev.netkit.gateway.internal.udp;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;

/**
 * The handler of one listening socket of a udp listener, on its event loop: each datagram goes to
 * the socket's {@link UdpSessions} and is released here; the upstreams written during a receive
 * batch are flushed once at its end. Socket errors are counted and logged; the socket stays open.
 */
final class ClientSocketHandler extends ChannelInboundHandlerAdapter {
    private final UdpSessions sessions;

    ClientSocketHandler(UdpSessions sessions) {
        this.sessions = sessions;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        sessions.socket(ctx.channel());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof DatagramPacket packet) {
                sessions.fromClient(packet);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        sessions.flushUpstreams();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        sessions.listenerSocketError(cause);
    }
}
