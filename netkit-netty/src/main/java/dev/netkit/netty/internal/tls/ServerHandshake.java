package dev.netkit.netty.internal.tls;

import dev.netkit.netty.internal.server.CurrentConnection;
import dev.netkit.netty.server.ConnectionInfo;
import dev.netkit.netty.tls.PeerIdentity;
import dev.netkit.netty.tls.TlsFailure;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;

/**
 * Watches one server connection's handshake (see {@link ServerTls}'s design note). Event loop only.
 */
final class ServerHandshake extends ChannelInboundHandlerAdapter {
    private final ServerTls tls;
    private final ChannelHandler connection;
    private final SocketAddress peer;
    private ScheduledFuture<?> timer;
    private boolean helloSeen;
    private boolean ended;

    ServerHandshake(ServerTls tls, ChannelHandler connection, SocketAddress peer) {
        this.tls = tls;
        this.connection = connection;
        this.peer = peer;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        long millis = tls.config.handshakeTimeout().toMillis();
        timer = ctx.executor().schedule(() -> {
            if (!ended && ctx.channel().isOpen()) {
                failed(ctx, new SslHandshakeTimeoutException("handshake not finished after " + millis + " ms"));
                ctx.close();
            }
        }, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SniCompletionEvent sni) {
            helloSeen = true;
            if (!sni.isSuccess()) {
                failed(ctx, sni.cause());
                ctx.close();
            }
        } else if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                succeeded(ctx);
            } else {
                failed(ctx, done.cause());
                ctx.close();
            }
        } else if (evt instanceof ChannelInputShutdownEvent) {
            ctx.close(); // half-closure is on for the server; a client that sent FIN mid-handshake is gone
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!ended) {
            failed(ctx, cause);
        }
        ctx.close(); // before the handshake completed nothing downstream exists to tell
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!ended) {
            if (helloSeen) {
                failed(ctx, new ClosedChannelException());
            } else {
                end(); // closed before a ClientHello (a TCP health check, a port scan): not a TLS failure
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private void succeeded(ChannelHandlerContext ctx) {
        end();
        tls.counters.handshakes.increment();
        SSLSession session = ctx.pipeline().get(SslHandler.class).engine().getSession();
        PeerIdentity identity = tls.config.caCertificates() == null ? null : TlsSessions.peer(session);
        ctx.channel().attr(CurrentConnection.INFO).set(new ConnectionInfo((InetSocketAddress) peer, session.getProtocol(),
                session.getCipherSuite(), identity));
        tls.events.completed(peer, session, identity);
        // From here on the connection's own handler reads the decrypted stream; this one leaves.
        ctx.pipeline().replace(this, "netkit-server", connection);
    }

    private void failed(ChannelHandlerContext ctx, Throwable cause) {
        if (ended) {
            return;
        }
        end();
        TlsFailure reason = TlsFailures.classify(cause);
        String detail = TlsFailures.detail(cause);
        tls.counters.failed(reason);
        ctx.channel().attr(ServerTls.FAILURE).set(reason.label());
        tls.events.failed(peer, reason, detail);
        tls.warnings.warn("closing connection from " + peer + ": TLS handshake failed: " + reason.label() + " (" + detail + ")"
                + TlsFailures.hint(reason), null);
    }

    private void end() {
        ended = true;
        if (timer != null) {
            timer.cancel(false);
        }
        tls.ended();
    }
}
