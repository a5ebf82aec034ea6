package dev.netkit.gateway.internal.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;

/**
 * Copies one side's bytes to the other side of a {@link ProxiedConnection} and applies
 * backpressure through writability: a side whose peer cannot take more stops reading until the
 * peer drains. Runs on the connection's event loop.
 */
final class Relay extends ChannelInboundHandlerAdapter {
    private final ProxiedConnection connection;
    private final boolean clientSide;
    private final boolean startWhenAdded;

    /**
     * @param startWhenAdded the client side joins a channel that is already active (after a TLS
     *                       handshake): start the connection when added, not on channelActive
     */
    Relay(ProxiedConnection connection, boolean clientSide, boolean startWhenAdded) {
        this.connection = connection;
        this.clientSide = clientSide;
        this.startWhenAdded = startWhenAdded;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (startWhenAdded) {
            ctx.channel().config().setAutoRead(false); // as for a plaintext client: nothing more before the upstream
            connection.start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (clientSide && !startWhenAdded) {
            connection.start();
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel peer = connection.peerOf(clientSide);
        if (peer == null && clientSide) {
            connection.holdEarly((ByteBuf) msg);
            return;
        }
        if (peer == null || !peer.isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        connection.countBytes(clientSide, ((ByteBuf) msg).readableBytes()); // also the idle clock
        peer.write(msg, peer.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Channel peer = connection.peerOf(clientSide);
        if (peer != null) {
            peer.flush();
            if (!peer.isWritable()) {
                ctx.channel().config().setAutoRead(false); // resumed by the peer's writability event
            }
        }
    }

    /** This side's writability decides whether the peer may read. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Channel peer = connection.peerOf(clientSide);
        // Never re-enable reading on a side whose input is shut: epoll cannot re-arm it (netty#16689).
        if (peer != null && !connection.inputShut(!clientSide)) {
            peer.config().setAutoRead(ctx.channel().isWritable());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.channel().config().setAutoRead(false);
            connection.inputShutdown(clientSide);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.closed(clientSide);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) { // resets and broken pipes are normal peer behaviour
            connection.warn("proxied connection failed", cause);
        }
        ctx.close();
    }
}
