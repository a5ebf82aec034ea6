package dev.netkit.netty.internal.server;

import dev.netkit.core.limit.LimitChain;
import dev.netkit.core.limit.TokenBucket;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/*
 * Design note. Sits in front of ServerConnection and sees every read as it comes off the socket.
 * It walks the frame headers in the read without consuming or copying (a LEN field, then skip
 * LEN bytes; a LEN split across two reads is remembered as its first byte) and charges each frame
 * when its LEN is known: one request token and LEN + 2 byte tokens, per connection and
 * server-wide (LimitChain: all or nothing).
 *
 * Shaping: the reservations are granted with a debt, so the read is passed on whole and the
 * longest wait decides how long the socket is not read: autoRead off, one timer on the event
 * loop. The debt is bounded by one read (reading stops after the current buffer once autoRead is
 * off), so memory is too. A server-wide bucket makes every connection that reads while it is in
 * debt wait its turn: reservations queue in the bucket, so the global rate holds exactly.
 *
 * Policing: a frame that finds no tokens is not passed on: the bytes before it are, the rest of
 * the read and every later read are dropped, reading stops, and ServerConnection is told the
 * input ended (ChannelInputShutdownEvent) so it answers what it started and then closes - its
 * half-close path, which never reads again. A shaping reservation beyond TokenBucket.MAX_DELAY is
 * refused the same way.
 *
 * autoRead belongs to two owners: ServerConnection (through TrafficShaping.autoRead) and this
 * handler; the socket is read only when both want it. All fields are the event loop's.
 */
/** Per-connection rate limiting at the read boundary; see the design note. */
public final class ReadShaper extends ChannelInboundHandlerAdapter {
    private final TrafficShaping shaping;
    private final LimitChain requests; // null: not limited
    private final LimitChain bytes;    // null: not limited
    private final boolean policing;
    private final Runnable release; // at close: unpins the client's shared buckets; null: none
    private final long maxDelayNanos = TokenBucket.MAX_DELAY.toNanos();

    private ChannelHandlerContext ctx;
    private int remaining;   // bytes of the current frame after its LEN field, still to come
    private int lenHigh = -1; // the first LEN byte when a read ended between the two
    private long pendingWait;
    private long now;        // the clock reading of the read being scanned
    private boolean ownerWantsRead = true;
    private boolean throttled;
    private boolean refused;
    private boolean inputShut;
    private long throttledAt;
    private long resumeAt;
    private ScheduledFuture<?> resumeTimer;

    ReadShaper(TrafficShaping shaping, LimitChain requests, LimitChain bytes, boolean policing, Runnable release) {
        this.shaping = shaping;
        this.requests = requests;
        this.bytes = bytes;
        this.policing = policing;
        this.release = release;
    }

    /** Lets go of what the connection holds in the server's shared state (its client's buckets); call once, at close. */
    public void release() {
        if (release != null) {
            release.run();
        }
    }

    /** Whether this connection was closed by a rate limit (its close reason). */
    public boolean refused() {
        return refused;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused || !(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg); // refused: nothing more of this client is started
            return;
        }
        pendingWait = 0;
        now = shaping.now(); // one clock reading for every frame of this read and every bucket
        int cut = scan(buf);
        if (cut >= 0) {
            refuse(buf, cut);
            return;
        }
        if (pendingWait > 0) {
            throttle(pendingWait); // before passing the read on: a resume inside it must not re-enable reading
        }
        ctx.fireChannelRead(buf);
    }

    /** Charges every frame whose LEN completes in {@code buf}; the index where a refused frame starts, or -1. */
    private int scan(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            if (remaining > 0) {
                int take = Math.min(remaining, end - i);
                remaining -= take;
                i += take;
                continue;
            }
            int start = i;
            int len;
            if (lenHigh >= 0) {
                len = lenHigh << 8 | buf.getUnsignedByte(i);
                lenHigh = -1;
                start = buf.readerIndex(); // its first byte went on with the previous read
                i++;
            } else if (end - i >= 2) {
                len = buf.getUnsignedShort(i);
                i += 2;
            } else {
                lenHigh = buf.getUnsignedByte(i);
                return -1;
            }
            remaining = len;
            if (!charge(len + 2L)) {
                return start;
            }
        }
        return -1;
    }

    private boolean charge(long frameBytes) {
        if (policing) {
            if (requests != null && requests.tryAcquire(1, now) != LimitChain.GRANTED) {
                return false;
            }
            if (bytes != null && bytes.tryAcquire(frameBytes, now) != LimitChain.GRANTED) {
                if (requests != null) {
                    requests.refund(1);
                }
                return false;
            }
            if (!shaping.fleetAdmits()) { // last: the one that costs a shared token
                if (requests != null) {
                    requests.refund(1);
                }
                if (bytes != null) {
                    bytes.refund(frameBytes);
                }
                return false;
            }
            return true;
        }
        long r = requests == null ? 0 : requests.acquireOrDelay(1, maxDelayNanos, now);
        if (r == TokenBucket.REFUSED) {
            return false;
        }
        long b = bytes == null ? 0 : bytes.acquireOrDelay(frameBytes, maxDelayNanos, now);
        if (b == TokenBucket.REFUSED) {
            if (requests != null) {
                requests.refund(1);
            }
            return false;
        }
        pendingWait = Math.max(pendingWait, Math.max(r, b));
        return true;
    }

    private void refuse(ByteBuf buf, int cut) {
        refused = true;
        shaping.counters().rateLimited.increment();
        shaping.limitReached(ctx.channel().remoteAddress(), 0);
        ctx.channel().config().setAutoRead(false);
        if (cut > buf.readerIndex()) {
            ctx.fireChannelRead(buf.retainedSlice(buf.readerIndex(), cut - buf.readerIndex()));
        }
        buf.release();
        if (!inputShut) {
            inputShut = true;
            // Not a real half-close: ServerConnection's way to answer what it started, read nothing more, then close.
            ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        }
    }

    private void throttle(long wait) {
        long now = shaping.now();
        if (!throttled) {
            throttled = true;
            throttledAt = now;
            shaping.counters().throttledReads.increment();
            shaping.limitReached(ctx.channel().remoteAddress(), wait);
            ctx.channel().config().setAutoRead(false);
        }
        resumeAt = Math.max(resumeAt, now + wait);
        if (resumeTimer == null) {
            resumeTimer = ctx.executor().schedule(this::resume, wait, TimeUnit.NANOSECONDS);
        }
    }

    private void resume() {
        resumeTimer = null;
        long now = shaping.now();
        if (now - resumeAt < 0) { // a later read extended the wait
            resumeTimer = ctx.executor().schedule(this::resume, resumeAt - now, TimeUnit.NANOSECONDS);
            return;
        }
        throttled = false;
        shaping.counters().throttledNanos.add(now - throttledAt);
        applyAutoRead();
    }

    void ownerWantsRead(boolean on) {
        ownerWantsRead = on;
        applyAutoRead();
    }

    private void applyAutoRead() {
        boolean read = ownerWantsRead && !throttled && !refused && !inputShut;
        if (read != ctx.channel().config().isAutoRead() && (ctx.channel().isOpen() || !read)) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShut = true;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (resumeTimer != null) {
            resumeTimer.cancel(false); // a pending timer would keep the closed connection reachable
            resumeTimer = null;
        }
        if (throttled) {
            throttled = false;
            shaping.counters().throttledNanos.add(shaping.now() - throttledAt);
        }
        ctx.fireChannelInactive();
    }
}
