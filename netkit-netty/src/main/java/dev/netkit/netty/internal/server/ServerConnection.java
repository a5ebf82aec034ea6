package dev.netkit.netty.internal.server;

import static dev.netkit.netty.wire.AnetWireFormat.MAX_PAYLOAD;

import dev.netkit.netty.internal.FrameBatchWriter;
import dev.netkit.netty.internal.FrameReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/*
 * Design note. One instance per accepted connection; all its fields are owned by the channel's
 * event loop. Handler outcomes may arrive from other threads (async stages, virtual threads);
 * complete() hops them onto the loop before touching any state.
 *
 * Reading stops (autoRead off) for any of three reasons, kept as bits in `paused`:
 *   LIMIT       the server-wide concurrency limit is reached (resumed by ConcurrencyLimiter),
 *   UNWRITABLE  the peer is not reading our responses (resumed by channelWritabilityChanged),
 *   CLOSING     graceful stop or half-close: no new requests are started.
 * So memory per connection is bounded by one read plus the responses of requests in flight.
 *
 * Responses are appended to a FrameBatchWriter. Inside a read batch they are flushed in
 * channelReadComplete; otherwise one flush task per loop iteration is scheduled, so responses that
 * complete together leave in one syscall.
 *
 * Timers: at most one of each (read, idle, write) is scheduled at a time; they re-check state when
 * they fire instead of being cancelled and re-armed on every read.
 */
/** Per-connection server handler: decodes requests, dispatches them, writes responses. */
public final class ServerConnection extends FrameReader {
    private static final int LIMIT = 1;
    private static final int UNWRITABLE = 2;
    private static final int CLOSING = 4;

    private final ServerContext server;
    private final long readTimeoutNanos;
    private final long idleTimeoutNanos;
    private final long writeTimeoutNanos;
    private final FrameBatchWriter out = new FrameBatchWriter();

    private ChannelHandlerContext ctx;
    private EventLoop loop;
    private int paused;
    private int inFlight;
    private boolean inReadBatch;
    private boolean flushScheduled;
    private boolean inputClosed;
    private boolean finishing;
    private long lastActivity;
    private ScheduledFuture<?> readTimer;
    private ScheduledFuture<?> writeTimer;
    private final Runnable flushTask = this::flushNow;

    public ServerConnection(ServerContext server) {
        this.server = server;
        this.readTimeoutNanos = server.config().readTimeout().toNanos();
        this.idleTimeoutNanos = server.config().idleTimeout().toNanos();
        this.writeTimeoutNanos = server.config().writeTimeout().toNanos();
    }

    ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.loop = ctx.channel().eventLoop();
        this.lastActivity = System.nanoTime();
        loop.schedule(this::checkIdle, idleTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    // ---- reading ---------------------------------------------------------------------------

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inReadBatch = false;
        lastActivity = System.nanoTime();
        out.flush(ctx);
    }

    @Override
    protected void onReadStarted() {
        inReadBatch = true;
    }

    @Override
    protected boolean acceptingFrames() {
        if ((paused & (LIMIT | CLOSING)) != 0) {
            return false;
        }
        if (!server.dispatcher().limited() || server.limiter().tryAcquire()) {
            return true;
        }
        pause(LIMIT);
        server.limiter().park(() -> loop.execute(this::resumeAfterLimit));
        return false;
    }

    @Override
    protected void onFrame(ChannelHandlerContext ctx, ByteBuf buf, int correlationIndex, int payloadLength) {
        // acceptingFrames() returned true for this frame: a limiter permit (if any) is ours.
        server.counters().requests.increment();
        inFlight++;
        if (server.dispatcher().limited()) {
            server.counters().inFlight.increment();
        }
        server.dispatcher().dispatch(this, buf.getInt(correlationIndex), buf, correlationIndex + 4, payloadLength);
    }

    private void resumeAfterLimit() {
        resume(LIMIT);
        if (ctx.channel().isOpen()) {
            inReadBatch = true;
            resumeDecoding(ctx);
            out.flush(ctx);
            inReadBatch = false;
            finishIfDone();
        }
    }

    // ---- completing ------------------------------------------------------------------------

    /** Reports a handler outcome; callable from any thread, exactly once per dispatched request. */
    void complete(int correlation, ByteBuf response, Throwable error) {
        if (loop.inEventLoop()) {
            completeOnLoop(correlation, response, error);
            return;
        }
        try {
            loop.execute(() -> completeOnLoop(correlation, response, error));
        } catch (RejectedExecutionException e) {
            // The server's I/O threads are gone (stopped past its shutdown timeout): drop the answer.
            if (response != null) {
                response.release();
            }
            if (server.dispatcher().limited()) {
                server.counters().inFlight.decrement();
                server.limiter().release();
            }
        }
    }

    private void completeOnLoop(int correlation, ByteBuf response, Throwable error) {
        inFlight--;
        if (server.dispatcher().limited()) {
            server.counters().inFlight.decrement();
            server.limiter().release();
        }
        if (error != null) {
            if (response != null) {
                response.release();
            }
            server.counters().handlerErrors.increment();
            server.warnings().warn("handler failed for a request from " + ctx.channel().remoteAddress()
                    + "; no reply sent, connection stays open", error);
        } else if (response == null) {
            server.counters().noReply.increment();
        } else {
            writeResponse(correlation, response);
        }
        finishIfDone();
    }

    private void writeResponse(int correlation, ByteBuf response) {
        try {
            int size = response.readableBytes();
            if (size > MAX_PAYLOAD) {
                server.counters().oversizedResponses.increment();
                server.warnings().warn("dropped a response of " + size + " bytes to " + ctx.channel().remoteAddress()
                        + ": over the frame limit of " + MAX_PAYLOAD + " bytes", null);
                return;
            }
            if (!ctx.channel().isActive()) {
                return; // the client left; nothing to deliver
            }
            out.write(ctx, correlation, response);
            server.counters().responses.increment();
            if (!inReadBatch && !flushScheduled) {
                flushScheduled = true;
                loop.execute(flushTask);
            }
        } finally {
            response.release();
        }
    }

    private void flushNow() {
        flushScheduled = false;
        lastActivity = System.nanoTime();
        out.flush(ctx);
    }

    // ---- flow control ----------------------------------------------------------------------

    private void pause(int reason) {
        paused |= reason;
        ctx.channel().config().setAutoRead(false);
    }

    private void resume(int reason) {
        paused &= ~reason;
        if (paused == 0) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            resume(UNWRITABLE);
        } else {
            pause(UNWRITABLE);
            if (writeTimer == null) {
                writeTimer = loop.schedule(this::checkWriteTimeout, writeTimeoutNanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    // ---- closing ---------------------------------------------------------------------------

    /** Graceful stop: start no new requests, close once in-flight ones are answered and flushed. */
    public void beginClosing() {
        if (loop.inEventLoop()) {
            pause(CLOSING);
            finishIfDone();
        } else {
            loop.execute(this::beginClosing);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // Half-close: the client sent everything it will send. Answer what is in flight,
            // then close. Frames already buffered are still handled (unless paused by the limit).
            inReadBatch = false;
            inputClosed = true;
            finishIfDone();
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void finishIfDone() {
        boolean stopping = (paused & CLOSING) != 0;
        if (!(stopping || inputClosed) || inFlight > 0 || finishing) {
            return;
        }
        if (!stopping && (paused & LIMIT) != 0) {
            return; // half-closed, but frames it sent are still waiting for a permit
        }
        finishing = true;
        out.flush(ctx);
        // Closing only after this empty write completes guarantees every response was written.
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    protected void onProtocolViolation(ChannelHandlerContext ctx, String reason) {
        server.counters().protocolViolations.increment();
        out.flush(ctx); // answers to the valid frames before the bad one are still owed
        closeWithReason("protocol violation: " + reason);
    }

    @Override
    protected void onPartialFrameStarted() {
        if (readTimer == null) {
            readTimer = loop.schedule(this::checkReadTimeout, readTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void checkReadTimeout() {
        readTimer = null;
        long since = partialFrameSince();
        if (since < 0 || !ctx.channel().isOpen()) {
            return;
        }
        long waited = System.nanoTime() - since;
        if (waited >= readTimeoutNanos) {
            server.counters().readTimeouts.increment();
            closeWithReason("read timeout: a frame started " + TimeUnit.NANOSECONDS.toMillis(waited)
                    + " ms ago and is still incomplete (" + bufferedBytes() + " bytes buffered, limit "
                    + server.config().readTimeout() + ")");
        } else {
            readTimer = loop.schedule(this::checkReadTimeout, readTimeoutNanos - waited, TimeUnit.NANOSECONDS);
        }
    }

    private void checkIdle() {
        if (!ctx.channel().isOpen()) {
            return;
        }
        long idle = System.nanoTime() - lastActivity;
        if (inFlight == 0 && idle >= idleTimeoutNanos) {
            server.counters().idleTimeouts.increment();
            closeWithReason("idle for " + TimeUnit.NANOSECONDS.toMillis(idle) + " ms (limit "
                    + server.config().idleTimeout() + ")");
        } else {
            loop.schedule(this::checkIdle, Math.max(idleTimeoutNanos - idle, idleTimeoutNanos / 10), TimeUnit.NANOSECONDS);
        }
    }

    private void checkWriteTimeout() {
        writeTimer = null;
        if (ctx.channel().isOpen() && !ctx.channel().isWritable()) {
            server.counters().writeTimeouts.increment();
            closeWithReason("write timeout: the client has not read its responses for "
                    + server.config().writeTimeout() + " (" + ctx.channel().unsafe().outboundBuffer().totalPendingWriteBytes()
                    + " bytes pending)");
        }
    }

    private void closeWithReason(String reason) {
        server.warnings().warn("closing connection from " + ctx.channel().remoteAddress() + ": " + reason, null);
        releaseCumulation();
        out.discard();
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        out.discard();
        if ((paused & LIMIT) != 0) {
            paused &= ~LIMIT; // the parked resume callback finds the channel closed and does nothing
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets and broken pipes are normal client behaviour; the connection just goes away.
        server.warnings().warn("connection from " + ctx.channel().remoteAddress() + " failed: " + cause, null);
        ctx.close();
    }
}
