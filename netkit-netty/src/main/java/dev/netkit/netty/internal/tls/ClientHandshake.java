package dev.netkit.netty.internal.tls;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.TlsHandshakeException;
import dev.netkit.netty.internal.RateLimitedLog;
import dev.netkit.netty.tls.TlsFailure;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/*
 * Design note. Sits between the SslHandler and the broker's connection handler and holds back
 * channelActive until the handshake succeeded: the connection handler completes its `ready`
 * future (the pool's dial) on channelActive, so the pool never sees a connection whose handshake
 * is not done, and no request can be written before it.
 *
 * A failed handshake fails the dial with a TlsHandshakeException (`fail`, which for the broker is
 * BrokerConnection.close: queued on the loop; the connection never saw channelActive, so it
 * gives up its dial when the channel is already closed). The channel's inactive event is held back by one
 * loop turn when it arrives in the same task as the failure (a peer that closed during the
 * handshake), so the connection learns the TLS reason before it learns of the close.
 *
 * With TLS 1.3 a client's handshake ends before the server has judged the client's certificate
 * (whether it wanted one at all), so a refusal arrives as an alert just after; this handler stays
 * until the first decrypted bytes arrive (the server accepted us) to turn such an alert into a
 * TlsHandshakeException too, passed on as the open connection's error.
 */
/** Holds a client connection back until its TLS handshake succeeded. Event loop only. */
public final class ClientHandshake extends ChannelInboundHandlerAdapter {
    private final Endpoint endpoint;
    private final TlsEvents events;
    private final RateLimitedLog warnings;
    private final Consumer<TlsHandshakeException> fail;
    private boolean succeeded;
    private boolean failed;
    private boolean failureDelivered;

    /**
     * @param fail closes the connection with the exception as its reason (may run later on the
     *             loop); called at most once
     */
    public ClientHandshake(Endpoint endpoint, TlsEvents events, RateLimitedLog warnings, Consumer<TlsHandshakeException> fail) {
        this.endpoint = endpoint;
        this.events = events;
        this.warnings = warnings;
        this.fail = fail;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // held back: fired on handshake success
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                succeeded(ctx);
            } else {
                failed(ctx, done.cause());
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void succeeded(ChannelHandlerContext ctx) {
        succeeded = true;
        SSLSession session = ctx.pipeline().get(SslHandler.class).engine().getSession();
        events.completed(endpoint, session, TlsSessions.peer(session));
        ctx.fireChannelActive();
    }

    private void failed(ChannelHandlerContext ctx, Throwable cause) {
        if (failed) {
            return;
        }
        failed = true;
        TlsFailure reason = TlsFailures.classify(cause);
        String detail = TlsFailures.detail(cause);
        String message = (succeeded ? endpoint + " refused this client's TLS connection after the handshake: "
                : "TLS handshake with " + endpoint + " failed: ") + reason.label() + " (" + detail + ")" + TlsFailures.hint(reason);
        events.failed(endpoint, reason, detail);
        warnings.warn(message, null);
        TlsHandshakeException error = new TlsHandshakeException(reason.label(), message, cause);
        if (succeeded) {
            ctx.fireExceptionCaught(error); // an open connection: its handler fails what it carries, now
            return;
        }
        fail.accept(error);
        ctx.executor().execute(() -> failureDelivered = true); // runs after fail's own task
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (succeeded && !failed) {
            ctx.pipeline().remove(this); // the server answered: it accepted this client
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!succeeded) {
            failed(ctx, cause); // the connection is told by `fail`, with the TLS reason
            ctx.close();
            return;
        }
        if (isAlert(cause) && !failed) {
            failed(ctx, cause); // passes a TlsHandshakeException on instead
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    private static boolean isAlert(Throwable cause) {
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof SSLException && String.valueOf(c.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("alert")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (failed && !succeeded && !failureDelivered) {
            ctx.executor().execute(ctx::fireChannelInactive); // after `fail` gave the connection its reason
            return;
        }
        ctx.fireChannelInactive();
    }
}
