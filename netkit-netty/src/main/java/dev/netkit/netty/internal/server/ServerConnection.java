package dev.netkit.netty.internal.server;

import static dev.netkit.netty.wire.AnetWireFormat.MAX_PAYLOAD;

import dev.netkit.netty.internal.FrameBatchWriter;
import dev.netkit.netty.internal.FrameReader;
import dev.netkit.netty.server.CloseConnectionException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/*
 * Design note. One instance per accepted connection; all its fields are owned by the channel's
 * event loop. Handler outcomes may arrive from other threads (async stages, virtual threads);
 * complete() hops them onto the loop before touching any state.
 *
 * New requests stop being started for any of four reasons, kept as bits in `paused`:
 *   LIMIT       the server-wide concurrency limit is reached (woken by ConcurrencyLimiter),
 *   CONN_LIMIT  this connection has maxInFlightPerConnection requests in flight (resumed by
 *               the completion that brings it below),
 *   UNWRITABLE  the peer is not reading our responses (resumed by channelWritabilityChanged),
 *   CLOSING     graceful stop, protocol violation or read timeout: answer what is in flight, then close.
 * While any bit is set the socket is not read and buffered frames are not started, so memory per
 * connection is bounded by one read plus the responses of requests in flight.
 *
 * Half-close (the client shut its output) is not a pause: frames it already sent are still
 * handled, and the connection closes once none is left and every answer is written. autoRead is
 * never turned back on after the input closed: Netty's epoll transport has already dropped the
 * socket from its interest set then, and re-arming it fails (netty#16689).
 *
 * Responses are appended to a FrameBatchWriter. Inside a read batch they are flushed in
 * channelReadComplete; otherwise one flush task per loop iteration is scheduled, so responses that
 * complete together leave in one syscall.
 *
 * Timers: at most one of each (read, idle, write, closing) is scheduled at a time; they re-check
 * state when they fire instead of being cancelled and re-armed on every read.
 *
 * The read timeout bounds how long a started frame takes to arrive *while we read*. Paused by
 * LIMIT, CONN_LIMIT or UNWRITABLE, we do not read, so a half-received frame cannot finish: that time does not
 * count. The timer does nothing while paused, and its clock starts again when reading resumes
 * (readResumedAt). Otherwise a client that stops reading its answers for longer than the read
 * timeout would be closed with unread request bytes, which turns the close into a reset that
 * destroys answers already owed; only the write timeout may close such a connection.
 */
/** Per-connection server handler: decodes requests, dispatches them, writes responses. */
public final class ServerConnection extends FrameReader {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ServerConnection.class);
    private static final int LIMIT = 1;
    private static final int UNWRITABLE = 2;
    private static final int CLOSING = 4;
    private static final int CONN_LIMIT = 8;

    private final ServerContext server;
    private final EventLoop loop;
    private final long readTimeoutNanos;
    private final long idleTimeoutNanos;
    private final long writeTimeoutNanos;
    private final int maxInFlight;
    private final FrameBatchWriter out;
    private final Runnable flushTask = this::flushNow;

    private ChannelHandlerContext ctx;
    private int paused;
    private int inFlight;
    private boolean inReadBatch;
    private boolean decoding;
    private boolean tookPermit;
    private boolean flushScheduled;
    private boolean inputClosed;
    private boolean finishing;
    private long lastActivity;
    private String closeReason; // the first reason this side decided to close; null: the peer closed
    private long unwritableSince;
    private long readResumedAt = Long.MIN_VALUE; // when reading last resumed after a LIMIT/UNWRITABLE pause
    private ScheduledFuture<?> readTimer;
    private ScheduledFuture<?> writeTimer;
    private ScheduledFuture<?> idleTimer;

    /** @param loop the channel's event loop, known before the handler is added */
    public ServerConnection(ServerContext server, EventLoop loop) {
        this.out = new FrameBatchWriter(server.counters().bytesSent);
        this.server = server;
        this.loop = loop;
        this.readTimeoutNanos = server.config().readTimeout().toNanos();
        this.idleTimeoutNanos = server.config().idleTimeout().toNanos();
        this.writeTimeoutNanos = server.config().writeTimeout().toNanos();
        this.maxInFlight = server.config().maxInFlightPerConnection();
    }

    Channel channel() { // its allocator is ctx.alloc(); the channel also carries the connection's TLS identity
        return ctx.channel();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.lastActivity = System.nanoTime();
        idleTimer = loop.schedule(this::checkIdle, idleTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    // ---- reading ---------------------------------------------------------------------------

    @Override
    protected void onReadStarted() {
        inReadBatch = true;
    }

    @Override
    protected void onBytesRead(int bytes) {
        server.counters().bytesReceived.add(bytes);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inReadBatch = false;
        lastActivity = System.nanoTime();
        out.flush(ctx);
    }

    @Override
    protected boolean acceptingFrames() {
        if (paused != 0) {
            return false;
        }
        if (inFlight >= maxInFlight) {
            pause(CONN_LIMIT);
            return false;
        }
        if (!server.dispatcher().limited() || server.limiter().tryAcquire()) {
            tookPermit = true;
            return true;
        }
        pause(LIMIT);
        if (server.limiter().park(() -> loop.execute(this::wakeAfterLimit))) {
            server.events().concurrencyLimitReached(server.limiter().limit(), server.limiter().inUse());
        }
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

    private void wakeAfterLimit() {
        tookPermit = false;
        resume(LIMIT);
        decodeBuffered();
        if (!tookPermit) {
            server.limiter().wakeNext(); // nothing to start here: pass the wake-up on
        }
    }

    /** Starts buffered frames outside a socket read (after a pause ends). */
    private void decodeBuffered() {
        if (!ctx.channel().isOpen()) {
            return;
        }
        inReadBatch = true;
        decoding = true;
        try {
            resumeDecoding(ctx);
        } finally {
            decoding = false;
            inReadBatch = false;
        }
        out.flush(ctx);
        finishIfDone();
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
            ReferenceCountUtil.safeRelease(response);
            returnPermit();
        }
    }

    private void completeOnLoop(int correlation, ByteBuf response, Throwable error) {
        inFlight--;
        returnPermit();
        try {
            if (unwrap(error) instanceof CloseConnectionException close) {
                ReferenceCountUtil.safeRelease(response);
                closeForHandler(close);
            } else if (error != null) {
                ReferenceCountUtil.safeRelease(response);
                handlerFailed(error);
            } else if (response == null) {
                server.counters().noReply.increment();
            } else {
                writeResponse(correlation, response);
            }
            if ((paused & CONN_LIMIT) != 0) {
                resumeBelowConnectionLimit();
            }
        } finally {
            finishIfDone();
        }
    }

    /** A stage that threw inside a callback fails with a CompletionException around what was thrown. */
    private static Throwable unwrap(Throwable error) {
        return error instanceof java.util.concurrent.CompletionException c && c.getCause() != null ? c.getCause() : error;
    }

    private void resumeBelowConnectionLimit() {
        resume(CONN_LIMIT);
        // Inside a read the decode loop is running already (a synchronous answer); it goes on by itself.
        if (paused == 0 && !inReadBatch) {
            decodeBuffered();
        }
    }

    private void closeForHandler(CloseConnectionException close) {
        if ((paused & CLOSING) != 0) {
            return;
        }
        server.counters().handlerClosed.increment();
        closeAfterOwedAnswers("handler_closed", "the handler asked to close it: " + close.getMessage());
    }

    private void returnPermit() {
        if (server.dispatcher().limited()) {
            server.counters().inFlight.decrement();
            server.limiter().release();
        }
    }

    private void handlerFailed(Throwable error) {
        server.counters().handlerErrors.increment();
        server.warnings().warn("handler failed for a request from " + ctx.channel().remoteAddress()
                + "; no reply sent, connection stays open", error);
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
                server.counters().discardedResponses.increment(); // the client left; nothing to deliver
                return;
            }
            out.write(ctx, correlation, response); // all or nothing: a failed copy leaves no header behind
            server.counters().responses.increment();
            if (!inReadBatch && !flushScheduled) {
                lastActivity = System.nanoTime(); // an answer outside a read is activity too
                flushScheduled = true;
                loop.execute(flushTask);
            }
        } catch (RuntimeException e) {
            handlerFailed(new IllegalStateException("the handler's response buffer could not be read "
                    + "(released already, or returned twice?)", e));
        } finally {
            if (response.refCnt() > 0) {
                response.release();
            }
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
        server.shaping().autoRead(ctx, false); // the rate limiter may hold reading too
    }

    private void resume(int reason) {
        paused &= ~reason;
        if (paused == 0 && !inputClosed && ctx.channel().isOpen()) {
            server.shaping().autoRead(ctx, true);
            restartReadClock();
        }
    }

    /** Reading resumed: a half-received frame gets a whole read timeout from now. */
    private void restartReadClock() {
        readResumedAt = System.nanoTime();
        if (partialFrameSince() >= 0 && readTimer == null) {
            readTimer = loop.schedule(this::checkReadTimeout, readTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            resume(UNWRITABLE);
            if (paused == 0) {
                decodeBuffered();
            }
        } else {
            pause(UNWRITABLE);
            unwritableSince = System.nanoTime();
            if (writeTimer == null) {
                writeTimer = loop.schedule(this::checkWriteTimeout, writeTimeoutNanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    // ---- closing ---------------------------------------------------------------------------

    /** Graceful stop: start no new requests, close once in-flight ones are answered and flushed. */
    public void beginClosing() {
        if (loop.inEventLoop()) {
            closingFor("server_stopped");
            pause(CLOSING);
            finishIfDone();
        } else {
            loop.execute(this::beginClosing);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // Half-close: the client sent everything it will send. Handle what it sent, answer
            // what is in flight, then close.
            inReadBatch = false;
            inputClosed = true;
            ctx.channel().config().setAutoRead(false);
            finishIfDone();
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void finishIfDone() {
        boolean stopping = (paused & CLOSING) != 0;
        if (!(stopping || inputClosed) || inFlight > 0 || finishing) {
            return;
        }
        if (!stopping && (decoding || (paused & (LIMIT | CONN_LIMIT | UNWRITABLE)) != 0)) {
            return; // half-closed, but frames it sent are still being started or waiting to be
        }
        finishing = true;
        out.flush(ctx);
        // Closing only after this empty write completes guarantees every response was written.
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Stops starting requests and drops unread bytes, but still answers the requests in flight
     * before closing. The whole wind-down is bounded by the write timeout: answers not written by
     * then (slow handler or a peer that does not read) are dropped with the connection.
     */
    private void closeAfterOwedAnswers(String label, String reason) {
        closingFor(label);
        server.warnings().warn("closing connection from " + ctx.channel().remoteAddress() + ": " + reason, null);
        releaseCumulation();
        pause(CLOSING); // before the flush: a writability change inside it must not resume reading
        out.flush(ctx);
        loop.schedule(() -> {
            if (ctx.channel().isOpen()) {
                ctx.close();
            }
        }, writeTimeoutNanos, TimeUnit.NANOSECONDS);
        finishIfDone();
    }

    private void closeNow(String label, String reason) {
        closingFor(label);
        server.warnings().warn("closing connection from " + ctx.channel().remoteAddress() + ": " + reason, null);
        releaseCumulation();
        out.discard();
        ctx.close();
    }

    @Override
    protected void onProtocolViolation(ChannelHandlerContext ctx, String reason) {
        server.counters().protocolViolations.increment();
        closeAfterOwedAnswers("protocol_violation", "protocol violation: " + reason);
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
        if (since < 0 || !ctx.channel().isOpen() || paused != 0) {
            return; // no frame pending, closing, or not reading (then resume() re-arms the timer)
        }
        long waited = System.nanoTime() - Math.max(since, readResumedAt);
        if (waited >= readTimeoutNanos) {
            server.counters().readTimeouts.increment();
            closeAfterOwedAnswers("read_timeout", "read timeout: a started frame is still incomplete after "
                    + TimeUnit.NANOSECONDS.toMillis(waited) + " ms of reading (" + bufferedBytes() + " bytes buffered, limit "
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
        // Waiting for a permit, or holding unstarted frames, is not idleness.
        boolean busy = inFlight > 0 || (paused & LIMIT) != 0 || bufferedBytes() > 0 || flushScheduled || out.hasPending();
        if (!busy && idle >= idleTimeoutNanos) {
            server.counters().idleTimeouts.increment();
            closeNow("idle_timeout", "idle for " + TimeUnit.NANOSECONDS.toMillis(idle) + " ms (limit " + server.config().idleTimeout() + ")");
        } else {
            idleTimer = loop.schedule(this::checkIdle, Math.max(idleTimeoutNanos - idle, idleTimeoutNanos / 10), TimeUnit.NANOSECONDS);
        }
    }

    private void checkWriteTimeout() {
        writeTimer = null;
        if (!ctx.channel().isOpen() || ctx.channel().isWritable()) {
            return;
        }
        long stuck = System.nanoTime() - unwritableSince;
        if (stuck >= writeTimeoutNanos) {
            server.counters().writeTimeouts.increment();
            closeNow("write_timeout", "write timeout: the client has not read its responses for " + server.config().writeTimeout()
                    + " (" + ctx.channel().unsafe().outboundBuffer().totalPendingWriteBytes() + " bytes pending)");
        } else {
            writeTimer = loop.schedule(this::checkWriteTimeout, writeTimeoutNanos - stuck, TimeUnit.NANOSECONDS);
        }
    }

    private void closingFor(String label) {
        if (closeReason == null) {
            closeReason = label;
        }
    }

    /**
     * Why the connection closed, as a {@link dev.netkit.core.event.ConnectionClosed} reason:
     * {@code peer_closed} unless this side decided first. Read on the event loop once closed.
     */
    public String closeReason() {
        return closeReason == null ? "peer_closed" : closeReason;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        out.discard();
        cancel(idleTimer, readTimer, writeTimer); // a pending timer keeps a closed connection reachable
        super.channelInactive(ctx);
    }

    private static void cancel(ScheduledFuture<?>... timers) {
        java.util.stream.Stream.of(timers).filter(java.util.Objects::nonNull).forEach(t -> t.cancel(false));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets and broken pipes are normal client behaviour: the connection just goes away.
        if (cause instanceof java.io.IOException) {
            LOG.debug("connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            server.warnings().warn("connection from " + ctx.channel().remoteAddress() + " failed", cause);
        }
        closingFor("error");
        ctx.close();
    }
}
