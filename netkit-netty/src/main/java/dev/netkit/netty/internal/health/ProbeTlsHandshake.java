package dev.netkit.netty.internal.health;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.health.HealthCheckException.Kind;
import dev.netkit.netty.internal.tls.TlsFailures;
import dev.netkit.netty.tls.TlsFailure;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * Ends a TLS probe whose handshake failed with a {@code CONNECT_FAILED} verdict that names the
 * TLS reason ("TLS handshake with 10.0.0.7:7001 failed: unknown_ca (...)"), before the probe's
 * handler could read it as a peer that closed. Leaves the pipeline once the handshake succeeded
 * (the probe frame, written at connect, was held by the SslHandler until then). Event loop only.
 */
public final class ProbeTlsHandshake extends ChannelInboundHandlerAdapter {
    private final Probe probe;
    private final Endpoint endpoint;

    public ProbeTlsHandshake(Probe probe, Endpoint endpoint) {
        this.probe = probe;
        this.endpoint = endpoint;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                ctx.pipeline().remove(this);
            } else {
                failed(ctx, done.cause());
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failed(ctx, cause); // still here: the handshake has not succeeded
    }

    private void failed(ChannelHandlerContext ctx, Throwable cause) {
        TlsFailure reason = TlsFailures.classify(cause);
        Kind kind = reason == TlsFailure.HANDSHAKE_TIMEOUT ? Kind.TIMED_OUT : Kind.CONNECT_FAILED;
        probe.fail(kind, "TLS handshake with " + endpoint + " failed: " + reason.label() + " (" + TlsFailures.detail(cause) + ")", cause);
        ctx.close();
    }
}
