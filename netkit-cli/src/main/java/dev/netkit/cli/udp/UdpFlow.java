package dev.netkit.cli.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One load socket (connected to the target) and everything it counts, confined to its event loop.
 *
 * <pre>
 * payload: | u64 sequence | u64 send time (System.nanoTime) | filler: byte k = (sequence + k) |
 * </pre>
 * An echo is verified whole: its length, a sequence number this socket sent, and every filler
 * byte; anything else is mismatched. Latency is taken from the echoed send time.
 */
final class UdpFlow extends ChannelInboundHandlerAdapter {
    static final int HEADER = 16;

    private final int size;
    private Channel channel;
    private long nextSeq;
    long sent;
    long received;
    long mismatched;
    final Histogram latencyMicros = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);

    UdpFlow(int size) {
        this.size = size;
    }

    void attach(Channel ch) {
        channel = ch;
    }

    /** Writes up to {@code n} datagrams (fewer when the socket's queue is full) and flushes them together. */
    int sendBurst(int n) {
        int written = 0;
        while (written < n && channel.isWritable()) {
            ByteBuf buf = channel.alloc().directBuffer(size);
            long seq = nextSeq++;
            buf.writeLong(seq).writeLong(System.nanoTime());
            for (int k = HEADER; k < size; k++) {
                buf.writeByte((int) (seq + k));
            }
            channel.write(buf, channel.voidPromise());
            written++;
        }
        if (written > 0) {
            channel.flush();
            sent += written;
        }
        return written;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            long now = System.nanoTime();
            ByteBuf in = packet.content();
            long sentAt = verified(in);
            if (sentAt == Long.MIN_VALUE) {
                mismatched++;
                return;
            }
            received++;
            latencyMicros.recordValue(Math.min(latencyMicros.getHighestTrackableValue(), Math.max(0, (now - sentAt) / 1000)));
        } finally {
            packet.release();
        }
    }

    /** The echoed send time, or {@code Long.MIN_VALUE} when the datagram is not an intact echo of ours. */
    private long verified(ByteBuf in) {
        if (in.readableBytes() != size) {
            return Long.MIN_VALUE;
        }
        int at = in.readerIndex();
        long seq = in.getLong(at);
        if (seq < 0 || seq >= nextSeq) {
            return Long.MIN_VALUE;
        }
        for (int k = HEADER; k < size; k++) {
            if (in.getByte(at + k) != (byte) (seq + k)) {
                return Long.MIN_VALUE;
            }
        }
        return in.getLong(at + 8);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A connected UDP socket hears ICMP port unreachable as an error: the echoes are then lost, and counted so.
    }
}
