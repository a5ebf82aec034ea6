package dev.netkit.netty.internal.udp;

import dev.netkit.netty.internal.RateLimitedLog;
import dev.netkit.netty.udp.DatagramHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;

/**
 * The per-datagram work of one socket, without the socket: count, admit (size, then the source's
 * rate), then hand the datagram to the handler through the reusable view and take its answer.
 * Confined to the socket's event loop; allocates nothing per datagram (answers reuse the
 * {@link ReplySlot}'s ring of buffers once sent; the JMH benchmark {@code UdpPathBenchmark} drives
 * it directly). {@link #close} when the socket is gone.
 */
public final class PacketPath {
    private final DatagramHandler handler;
    private final SourceRateTable rates; // null: no rate limit
    private final LoopCounters counters;
    private final int maxDatagramSize;
    private final DatagramView view = new DatagramView();
    private final ReplySlot slot;
    private final UdpEvents events;
    private final RateLimitedLog warnings;
    private final double rate;
    private final int burst;

    public PacketPath(DatagramHandler handler, LoopCounters counters, ByteBufAllocator allocator, int maxDatagramSize,
                      double ratePerSource, int burstPerSource, int maxSources, UdpEvents events, RateLimitedLog warnings) {
        this.handler = handler;
        this.counters = counters;
        this.maxDatagramSize = maxDatagramSize;
        this.slot = new ReplySlot(allocator, maxDatagramSize);
        this.rate = ratePerSource;
        this.burst = burstPerSource > 0 ? burstPerSource : (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.ceil(ratePerSource)));
        this.rates = ratePerSource > 0 ? new SourceRateTable(maxSources, ratePerSource, burst, counters) : null;
        this.events = events;
        this.warnings = warnings;
    }

    /**
     * Counts the datagram in and judges it: false when it is dropped (too large, or its source over
     * its rate), already counted. {@code now} is the batch's clock reading (nanoseconds).
     */
    public boolean admit(ByteBuf content, InetSocketAddress sender, long now) {
        int length = content.readableBytes();
        counters.increment(LoopCounters.PACKETS_IN);
        counters.add(LoopCounters.BYTES_IN, length);
        if (length > maxDatagramSize) { // filled the slot one byte larger than the limit: truncated
            counters.increment(LoopCounters.DROP_OVERSIZE);
            return false;
        }
        if (rates != null) {
            int verdict = rates.check(sender.getAddress(), now);
            if (verdict != SourceRateTable.ADMIT) {
                counters.increment(LoopCounters.DROP_RATE);
                if (verdict == SourceRateTable.FIRST_DROP) {
                    events.rateLimited(sender, rate, burst);
                }
                return false;
            }
        }
        return true;
    }

    /**
     * Runs the handler on an admitted datagram; returns its answer (the caller sends and owns it)
     * or null. Does not release {@code content}.
     */
    public ByteBuf handle(ByteBuf content, InetSocketAddress sender) {
        try {
            handler.onDatagram(view.set(content, sender), slot);
        } catch (Throwable t) { // the handler's fault: drop this datagram, keep serving
            slot.discard();
            counters.increment(LoopCounters.DROP_HANDLER);
            warnings.warn("UDP handler failed on a datagram from " + sender + "; dropped", t);
            return null;
        } finally {
            view.clear();
        }
        ByteBuf reply = slot.take();
        if (reply == null) {
            return null;
        }
        if (reply.readableBytes() > maxDatagramSize) {
            reply.release();
            counters.increment(LoopCounters.DROP_OVERSIZE);
            return null;
        }
        if (!reply.isReadable()) { // Netty's epoll write path skips empty datagrams: say so by not sending one
            reply.release();
            return null;
        }
        return reply;
    }

    /** Counts an answer handed to the socket. */
    public void sent(int bytes) {
        counters.increment(LoopCounters.PACKETS_OUT);
        counters.add(LoopCounters.BYTES_OUT, bytes);
    }

    /** Counts a datagram or answer dropped because a queue was full. */
    public void queueFull() {
        counters.increment(LoopCounters.DROP_QUEUE);
    }

    /** The socket is gone: the reply slot gives back its buffers. On the socket's event loop. */
    public void close() {
        slot.close();
    }

    public LoopCounters counters() {
        return counters;
    }
}
