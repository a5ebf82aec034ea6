package dev.netkit.netty.internal.udp;

import dev.netkit.core.time.Ticker;
import dev.netkit.netty.internal.RateLimitedLog;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * The one handler of one UDP socket, on its event loop. Each received datagram goes through the
 * {@link PacketPath} and is released here; answers are written without a flush and flushed once
 * per receive batch ({@code channelReadComplete}), so a batch of answers leaves in one
 * {@code sendmmsg} on epoll. The clock is read once per batch for the rate limits. An answer is
 * dropped (counted {@code queue_full}) rather than queued when the socket's outbound buffer is
 * above its high-water mark: nothing queues without bound behind a full socket buffer. Socket
 * errors (an ICMP error the kernel reports, a failed send) are counted and logged; the socket
 * stays open.
 */
public final class UdpChannelHandler extends ChannelInboundHandlerAdapter {
    private final PacketPath path;
    private final BlockingStage blocking; // null: the handler runs here
    private final Ticker ticker;
    private final RateLimitedLog warnings;
    private int batch; // datagrams read since the last read-complete
    private long batchNanos;
    private boolean flushPending;

    public UdpChannelHandler(PacketPath path, BlockingStage blocking, Ticker ticker, RateLimitedLog warnings) {
        this.path = path;
        this.blocking = blocking;
        this.ticker = ticker;
        this.warnings = warnings;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ctx.fireChannelRead(msg); // not produced by datagram channels; let the tail release it
            return;
        }
        try {
            if (batch++ == 0) {
                batchNanos = ticker.nanoTime();
            }
            ByteBuf content = packet.content();
            InetSocketAddress sender = packet.sender();
            if (!path.admit(content, sender, batchNanos)) {
                return;
            }
            if (blocking != null) {
                blocking.submit(content, sender, ctx.channel(), path);
                return;
            }
            ByteBuf reply = path.handle(content, sender);
            if (reply != null) {
                send(ctx, reply, sender);
            }
        } finally {
            packet.release();
        }
    }

    private void send(ChannelHandlerContext ctx, ByteBuf reply, InetSocketAddress to) {
        if (!ctx.channel().isWritable()) {
            reply.release();
            path.queueFull();
            return;
        }
        int bytes = reply.readableBytes();
        ctx.write(new DatagramPacket(reply, to), ctx.voidPromise());
        path.sent(bytes);
        flushPending = true;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (batch > 0) {
            path.counters().batch(batch);
            batch = 0;
        }
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        path.close(); // the socket closed (its pipeline is torn down on the event loop, after the last write)
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        path.counters().increment(LoopCounters.SEND_ERRORS);
        warnings.warn("UDP socket " + ctx.channel().localAddress() + " reported an error (socket stays open): " + cause, null);
    }
}
