package dev.netkit.netty.internal.client;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.ClosedException;
import dev.netkit.core.error.ConnectionLostException;
import dev.netkit.core.error.NetkitException;
import dev.netkit.core.error.ProtocolViolationException;
import dev.netkit.core.error.RequestTimeoutException;
import dev.netkit.netty.internal.FrameBatchWriter;
import dev.netkit.netty.internal.FrameReader;
import dev.netkit.netty.internal.RateLimitedLog;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntPredicate;

/*
 * Design note. One instance per TCP connection of the broker, and also its channel handler. The
 * connection lives in the endpoint's ConnectionPool: a request holds one pool lease on it (the
 * pool bounds leases by maxInFlightPerConnection), and the pool only hands out connections that
 * are open, so nothing waits here for a connect.
 *
 * Ownership. The in-flight map, the id counter, abandoned ids, batch writer and timers belong to
 * the channel's event loop. Caller threads touch only the MPSC `submissions` queue and `state`.
 * The queue's consumer side is guarded by `consumer`, uncontended on the event loop; it matters
 * only when the loop is gone and a caller must fail what it queued.
 *
 * A send from the event loop itself (for example a load generator reacting to a response) writes
 * straight into the batch; one from another thread is queued and drained by a single task per
 * burst. Either way frames are coalesced and flushed once per read batch or loop iteration.
 *
 * Correlation ids count up from 1 per connection (CorrelationIds). A response whose id is not in
 * flight is late (discarded) if that id was handed out before, and a protocol violation if it
 * never was.
 *
 * Deadlines: instead of a timer per request, one sweep is scheduled at the earliest deadline; it
 * fails expired requests (in flight or still waiting for the connect) and re-arms itself. With a
 * uniform timeout this runs about once per timeout period and costs O(in-flight).
 *
 * Every request leaves exactly once, through one of: response, deadline sweep, abandon (cancel),
 * skip at write (already done), or failure of the connection. Each path ends the request's lease
 * (release; invalidate for the first request failed by a protocol violation or I/O error, so the
 * pool counts that close as an error) and updates the counters before completing the future.
 * When the channel closes, the pool is told (onClosed) after the requests were failed.
 */
/** One multiplexed broker connection. */
public final class BrokerConnection extends FrameReader {
    private static final int CONNECTING = 0;
    private static final int ACTIVE = 1;
    private static final int CLOSED = 2;

    final Endpoint endpoint;
    private final BrokerCounters counters;
    private final RateLimitedLog warnings;
    private final Runnable onClosed;
    private final Queue<PendingRequest> submissions = PlatformDependent.newMpscQueue();
    private final ReentrantLock consumer = new ReentrantLock();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile int state = CONNECTING;

    // event-loop state
    private final IntObjectHashMap<PendingRequest> inFlight;
    private final AbandonedIds abandoned;
    private final CorrelationIds ids = new CorrelationIds();
    private final IntPredicate idTaken = this::idTaken;
    private final FrameBatchWriter out;
    private final Runnable drainTask = this::drainSubmissions;
    private final Runnable flushTask = this::flushNow;
    private final Runnable sweepTask = this::sweepDeadlines;
    private EventLoop loop;
    private ChannelHandlerContext ctx;
    private boolean inReadBatch;
    /** Event loop only: when the current socket read started. */
    private long readAtNanos;
    private boolean flushScheduled;
    private long sweepAt;
    private ScheduledFuture<?> sweep;
    private boolean wasActive;
    private boolean failedByError;
    private NetkitException closeReason;

    /**
     * @param onClosed run once on the event loop after the channel closed and its requests failed
     *                 (tells the pool); not run when the connect itself failed
     */
    public BrokerConnection(Endpoint endpoint, int maxInFlight, BrokerCounters counters, RateLimitedLog warnings,
                            Runnable onClosed) {
        this.out = new FrameBatchWriter(counters.bytesSent);
        this.endpoint = endpoint;
        this.counters = counters;
        this.warnings = warnings;
        this.onClosed = onClosed;
        this.inFlight = new IntObjectHashMap<>(Math.min(maxInFlight * 2, 4096));
        this.abandoned = new AbandonedIds(Math.max(64, Math.min(maxInFlight * 4, 65_536)));
    }

    /** Called once, before the connection is published to other threads. */
    public void bindLoop(EventLoop loop) {
        this.loop = loop;
    }

    /** Completes when open; fails with {@link ConnectionLostException} when connecting failed. */
    public CompletableFuture<Void> ready() {
        return ready;
    }

    /** Whether this connection is open and can carry requests: the pool's cheap check on every lease. */
    public boolean isUsable() {
        if (state != ACTIVE) {
            return false;
        }
        ChannelHandlerContext c = ctx;
        return c != null && c.channel().isActive()
                && !(c.channel() instanceof io.netty.channel.socket.DuplexChannel d && d.isInputShutdown());
    }

    /** Sends a request holding a pool lease on this connection. Any thread. */
    public void submit(PendingRequest request) {
        request.connection = this;
        if (state == ACTIVE && loop.inEventLoop()) {
            write(request);
            requestFlush();
            return;
        }
        submissions.offer(request);
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(drainTask);
            } catch (RejectedExecutionException e) {
                // The I/O threads are gone (broker closed). Nobody else will drain the queue, and
                // every later submitter must get here too, so the flag goes back down.
                drainScheduled.set(false);
                failQueued(new ClosedException("broker is closed; the request to " + endpoint + " was not sent"));
            }
        }
    }

    /** Frees a cancelled request's slot. Any thread. */
    void abandon(PendingRequest request) {
        if (loop.inEventLoop()) {
            abandonOnLoop(request);
        } else {
            try {
                loop.execute(() -> abandonOnLoop(request));
            } catch (RejectedExecutionException ignored) {
                // shut down: the connection's failure already returned every permit
            }
        }
    }

    /** Closes the connection, failing its requests with {@code reason}. Any thread. */
    public void close(NetkitException reason) {
        try {
            loop.execute(() -> {
                if (closeReason == null) {
                    closeReason = reason;
                }
                if (ctx != null && ctx.channel().isOpen()) {
                    ctx.close(); // channelInactive, or the failed connect, fails what is pending
                } else if (state == CONNECTING) {
                    giveUp(reason); // still resolving the host name: no channel will ever report back
                }
            });
        } catch (RejectedExecutionException e) {
            // the I/O threads are gone: so is the channel; fail whatever callers still queued
            state = CLOSED;
            ready.completeExceptionally(reason);
            failQueued(reason);
        }
    }

    /** Whether {@link #close} was called; the broker then skips a connect still to be started. */
    public boolean closing() {
        return closeReason != null;
    }

    private void giveUp(NetkitException reason) {
        state = CLOSED;
        ready.completeExceptionally(reason);
        failAll(reason);
    }

    /** A request leaves: its lease goes back to the pool (or, after an error, closes the connection). */
    private void endLease(PendingRequest r) {
        if (r.isPing()) {
            return; // the pool holds the claim a validation ping runs under
        }
        if (failedByError) {
            failedByError = false; // one invalidate is enough for the pool to count the close as an error
            r.lease.invalidate();
        } else {
            r.lease.release();
        }
    }

    // ---- event loop: lifecycle -------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        state = ACTIVE;
        wasActive = true;
        counters.openConnections.incrementAndGet();
        ready.complete(null); // the pool now hands this connection out
        ctx.fireChannelActive();
    }

    /** The connect attempt failed: nothing was sent; fail what waits for it. Any thread. */
    public void connectFailed(Throwable cause) {
        if (!loop.inEventLoop()) {
            try {
                loop.execute(() -> connectFailed(cause));
            } catch (RejectedExecutionException e) {
                // The loop is gone, so close() already failed what the loop owned; fail the rest.
                state = CLOSED;
                ClosedException reason = new ClosedException("broker is closed; could not connect to " + endpoint);
                ready.completeExceptionally(reason);
                failQueued(reason);
            }
            return;
        }
        if (state == CLOSED) {
            return; // given up already (closed while resolving)
        }
        NetkitException reason = closeReason != null ? closeReason // closed by the broker while connecting
                : new ConnectionLostException("could not connect to " + endpoint + ": " + cause, cause);
        giveUp(reason);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        state = CLOSED;
        if (wasActive) {
            counters.openConnections.decrementAndGet();
        }
        if (sweep != null) {
            sweep.cancel(false);
            sweep = null;
        }
        out.discard();
        NetkitException reason = closeReason != null ? closeReason
                : new ConnectionLostException("connection to " + endpoint + " closed by the peer with "
                        + inFlight.size() + " request(s) in flight");
        failAll(reason);
        ready.completeExceptionally(reason); // no-op if it opened; fails a dial closed before channelActive
        super.channelInactive(ctx);
        onClosed.run();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closeReason == null) {
            closeReason = new ConnectionLostException("connection to " + endpoint + " failed with "
                    + inFlight.size() + " request(s) in flight: " + cause, cause);
            failedByError = true;
        }
        ctx.close();
    }

    /** Fails every request of this connection: in flight and queued. */
    private void failAll(NetkitException reason) {
        List<PendingRequest> failed = new ArrayList<>(inFlight.values());
        inFlight.clear();
        failEach(failed, reason);
        failQueued(reason);
    }

    /** Fails whatever callers have queued; safe on any thread (the consumer side is locked). */
    private void failQueued(NetkitException reason) {
        List<PendingRequest> failed = new ArrayList<>();
        consumer.lock();
        try {
            PendingRequest r;
            while ((r = submissions.poll()) != null) {
                failed.add(r);
            }
        } finally {
            consumer.unlock();
        }
        failEach(failed, reason);
    }

    // Account first, complete last: a caller woken by its future must see the freed slots.
    private void failEach(List<PendingRequest> failed, NetkitException reason) {
        if (failed.isEmpty()) {
            return;
        }
        for (PendingRequest r : failed) {
            endLease(r);
        }
        long live = failed.stream().filter(r -> !r.isDone() && !r.isPing()).count();
        if (!(reason instanceof ProtocolViolationException) && !(reason instanceof ClosedException)) {
            counters.connectionFailures.add(live);
        }
        for (PendingRequest r : failed) {
            r.fail(reason);
        }
    }

    // ---- event loop: writing ---------------------------------------------------------------

    private void drainSubmissions() {
        drainScheduled.set(false); // before polling, so a concurrent offer schedules a new drain
        if (state == CLOSED) {
            failQueued(closeReason != null ? closeReason
                    : new ConnectionLostException("connection to " + endpoint + " is closed"));
            return;
        }
        consumer.lock();
        try {
            PendingRequest r;
            while ((r = submissions.poll()) != null) {
                write(r); // the pool hands out open connections only, so state is ACTIVE here
            }
        } finally {
            consumer.unlock();
        }
        flushNow();
    }

    private void write(PendingRequest request) {
        if (request.isDone()) {
            endLease(request); // cancelled or expired before it was written
            return;
        }
        int id = ids.next(idTaken);
        request.id = id;
        request.written = true;
        inFlight.put(id, request);
        out.write(ctx, id, request.payload);
        if (!request.isPing()) {
            counters.sent.increment();
        }
        armSweep(request.deadlineNanos);
    }

    private boolean idTaken(int id) {
        return inFlight.containsKey(id) || abandoned.contains(id);
    }

    private void requestFlush() {
        if (!inReadBatch && !flushScheduled) {
            flushScheduled = true;
            loop.execute(flushTask);
        }
    }

    private void flushNow() {
        flushScheduled = false;
        if (ctx != null && state == ACTIVE) {
            out.flush(ctx);
        }
    }

    // ---- event loop: reading ---------------------------------------------------------------

    @Override
    protected void onReadStarted() {
        inReadBatch = true;
        // One clock reading per socket read, not per response: it dates every answer in this read
        // (when it arrived) for the balancer's latency average and breaker.
        readAtNanos = System.nanoTime();
    }

    @Override
    protected void onBytesRead(int bytes) {
        counters.bytesReceived.add(bytes);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inReadBatch = false;
        out.flush(ctx);
    }

    @Override
    protected void onFrame(ChannelHandlerContext ctx, ByteBuf buf, int correlationIndex, int payloadLength) {
        int id = buf.getInt(correlationIndex);
        PendingRequest request = inFlight.remove(id);
        if (request == null) {
            unmatchedResponse(id);
            return;
        }
        endLease(request); // before completing, so the caller's next send finds room
        byte[] payload = new byte[payloadLength];
        buf.getBytes(correlationIndex + 4, payload);
        if (!request.isPing()) {
            counters.responses.increment();
        }
        request.succeed(payload, readAtNanos);
    }

    private void unmatchedResponse(int id) {
        if (abandoned.remove(id) || ids.issuedBeforeWrap(id)) {
            counters.lateResponses.increment(); // for a request that timed out or was cancelled
            return;
        }
        onProtocolViolation(ctx, "response with unknown correlation id " + Integer.toUnsignedString(id)
                + " (never sent on this connection)");
    }

    @Override
    protected void onProtocolViolation(ChannelHandlerContext ctx, String reason) {
        counters.protocolViolations.increment();
        warnings.warn("closing connection to " + endpoint + ": protocol violation: " + reason, null);
        if (closeReason == null) {
            closeReason = new ProtocolViolationException("connection to " + endpoint + " closed: " + reason
                    + "; " + inFlight.size() + " request(s) were in flight on it");
            failedByError = true;
        }
        releaseCumulation();
        ctx.close();
    }

    // ---- event loop: deadlines and cancellation ---------------------------------------------

    private void armSweep(long deadline) {
        if (sweep == null || deadline - sweepAt < 0) {
            if (sweep != null) {
                sweep.cancel(false); // rare: a request with a shorter timeout than those pending
            }
            sweepAt = deadline;
            sweep = loop.schedule(sweepTask, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    private void sweepDeadlines() {
        sweep = null;
        long now = System.nanoTime();
        List<PendingRequest> expired = new ArrayList<>();
        long earliest = collectExpired(inFlight.values(), now, expired, Long.MAX_VALUE);
        for (PendingRequest r : expired) {
            retire(r);
        }
        for (PendingRequest r : expired) {
            if (!r.isDone()) {
                if (!r.isPing()) {
                    counters.timeouts.increment();
                }
                r.fail(new RequestTimeoutException("no response from " + endpoint + " within the deadline ("
                        + inFlight.size() + " other request(s) in flight on this connection)"));
            }
        }
        if (earliest != Long.MAX_VALUE) {
            armSweep(earliest);
        }
    }

    private static long collectExpired(Iterable<PendingRequest> requests, long now, List<PendingRequest> expired, long earliest) {
        for (PendingRequest r : requests) {
            if (r.isDone() || r.deadlineNanos - now <= 0) {
                expired.add(r);
            } else if (earliest == Long.MAX_VALUE || r.deadlineNanos - earliest < 0) {
                earliest = r.deadlineNanos;
            }
        }
        return earliest;
    }

    private void abandonOnLoop(PendingRequest request) {
        if (request.written && inFlight.get(request.id) == request) {
            retire(request);
        }
        // not written yet: write() sees it is done and ends its lease
    }

    /** Removes an in-flight request whose response will no longer be awaited. */
    private void retire(PendingRequest request) {
        inFlight.remove(request.id);
        abandoned.add(request.id);
        endLease(request);
    }
}
