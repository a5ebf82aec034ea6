package dev.netkit.netty.internal.health;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.health.HealthCheckException;
import dev.netkit.core.health.HealthCheckException.Kind;
import dev.netkit.netty.internal.FrameReader;
import dev.netkit.netty.wire.AnetWireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/*
 * Design note. One probe = one fresh connection: connect, write one frame, read one frame, close.
 * The probe is also the channel's only handler, so every path that can end it (deadline, connect
 * failure, answer, peer close, I/O error, protocol violation, the checker closing) calls one of
 * succeed()/fail(), and the first one wins: the result is a CompletableFuture. Whatever ends it,
 * the cleanup hook cancels the deadline and closes the channel (the channel may be set after the
 * end, by a connect started just before: opened() then closes it itself).
 *
 * Threads: the handler methods run on the channel's event loop; the deadline too; fail() may also
 * be called by the resolver's virtual thread or by the closing checker. Only `channel` is shared
 * (volatile) besides the result.
 */
/** One anet protocol probe of one endpoint, and the handler of its connection. */
public final class Probe extends FrameReader {
    /** The correlation id of every probe: "NKHC", to be recognisable in a capture. */
    static final int PROBE_ID = 0x4e4b4843;

    /** What a healthy answer looks like. */
    public record Expectation(Predicate<byte[]> test, String description) {}

    private final Endpoint endpoint;
    private final byte[] payload;
    private final Expectation expectation;
    private final long timeoutMillis;
    private final CompletableFuture<Void> result = new CompletableFuture<>();
    private volatile Channel channel;
    private volatile boolean connected;
    private volatile ScheduledFuture<?> deadline;

    public Probe(Endpoint endpoint, byte[] payload, Expectation expectation, long timeoutNanos) {
        this.endpoint = endpoint;
        this.payload = payload;
        this.expectation = expectation;
        this.timeoutMillis = TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
        result.whenComplete((v, e) -> {
            ScheduledFuture<?> d = deadline;
            if (d != null) {
                d.cancel(false);
            }
            Channel ch = channel;
            if (ch != null) {
                ch.close();
            }
        });
    }

    /** Completes normally on a healthy answer; fails with a {@link HealthCheckException}. */
    public CompletableFuture<Void> result() {
        return result;
    }

    /** Arms the deadline on {@code loop}; call before connecting. */
    public void start(EventLoop loop, long timeoutNanos) {
        ScheduledFuture<?> d;
        try {
            d = loop.schedule(this::onDeadline, timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            fail(Kind.ERROR, "health check of " + endpoint + " not started: the probe's I/O threads are shut down", e);
            return;
        }
        deadline = d;
        if (result.isDone()) { // raced with the end: the hook may have run before the deadline was set
            d.cancel(false);
        }
    }

    /** The channel being connected; closed at once if the probe already ended. */
    public void opened(Channel ch) {
        channel = ch;
        if (result.isDone()) {
            ch.close();
        }
    }

    /** Classifies a failed resolve or connect. */
    public void connectFailed(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            fail(Kind.TIMED_OUT, "connect to " + endpoint + " timed out after " + timeoutMillis + " ms", cause);
        } else if (cause instanceof UnknownHostException) {
            fail(Kind.CONNECT_FAILED, "connect to " + endpoint + " failed: unknown host " + endpoint.host(), cause);
        } else if (cause.getMessage() != null && cause.getMessage().toLowerCase(Locale.ROOT).contains("refused")) {
            fail(Kind.CONNECT_FAILED, "connect to " + endpoint + " refused", cause);
        } else {
            fail(Kind.CONNECT_FAILED, "connect to " + endpoint + " failed: " + cause, cause);
        }
    }

    /** Ends the probe as failed, unless it already ended. */
    public void fail(Kind kind, String message, Throwable cause) {
        if (!result.isDone()) {
            result.completeExceptionally(new HealthCheckException(kind, message, cause));
        }
    }

    private void onDeadline() {
        if (connected) {
            fail(Kind.TIMED_OUT, "no answer from " + endpoint + " within " + timeoutMillis + " ms", null);
        } else {
            fail(Kind.TIMED_OUT, "connect to " + endpoint + " timed out after " + timeoutMillis + " ms", null);
        }
    }

    // ---- the channel handler ------------------------------------------------------------------

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connected = true;
        ByteBuf frame = ctx.alloc().buffer(AnetWireFormat.HEADER_SIZE + payload.length);
        AnetWireFormat.writeFrame(frame, PROBE_ID, payload); // the size was checked by the checker's builder
        ctx.writeAndFlush(frame).addListener(f -> {
            if (!f.isSuccess()) {
                fail(Kind.CLOSED_BY_PEER, "sending the probe to " + endpoint + " failed: " + f.cause(), f.cause());
            }
        });
    }

    @Override
    protected void onFrame(ChannelHandlerContext ctx, ByteBuf buf, int correlationIndex, int payloadLength) {
        int id = buf.getInt(correlationIndex);
        if (id != PROBE_ID) {
            onProtocolViolation(ctx, "answer with correlation id " + Integer.toUnsignedString(id)
                    + " to a probe sent with id " + PROBE_ID);
            return;
        }
        byte[] answer = ByteBufUtil.getBytes(buf, correlationIndex + AnetWireFormat.CORRELATION_SIZE, payloadLength);
        boolean healthy;
        try {
            healthy = expectation.test().test(answer);
        } catch (RuntimeException e) {
            fail(Kind.ERROR, "the probe's answer check failed on " + Preview.of(answer) + " from " + endpoint + ": " + e, e);
            ctx.close();
            return;
        }
        if (healthy) {
            result.complete(null);
        } else {
            fail(Kind.WRONG_ANSWER, "wrong answer from " + endpoint + ": got " + Preview.of(answer) + ", expected "
                    + expectation.description(), null);
        }
        ctx.close();
    }

    @Override
    protected void onProtocolViolation(ChannelHandlerContext ctx, String reason) {
        releaseCumulation();
        fail(Kind.PROTOCOL_VIOLATION, "protocol violation by " + endpoint + ": " + reason, null);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        fail(Kind.CLOSED_BY_PEER, endpoint + " closed the connection before answering the probe", null);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(Kind.CLOSED_BY_PEER, "connection to " + endpoint + " failed before it answered: " + cause, cause);
        ctx.close();
    }
}
