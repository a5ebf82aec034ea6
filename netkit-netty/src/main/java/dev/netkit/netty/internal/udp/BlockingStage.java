package dev.netkit.netty.internal.udp;

import dev.netkit.netty.internal.RateLimitedLog;
import dev.netkit.netty.udp.DatagramHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs a blocking handler on a fixed pool of worker threads behind a bounded queue, shared by all
 * sockets of a server. The I/O thread copies the datagram into a pooled buffer of its own (the
 * read buffer is shared by the whole receive batch and goes back to the pool at once) and offers
 * a job; a full queue drops the datagram, counted. Each job owns its copy and releases it exactly
 * once: after the handler ran, or when the stage is shut down before it ran. Answers are written
 * and flushed from the worker (one event-loop task each: the blocking path is not the batched one).
 */
public final class BlockingStage {
    private final DatagramHandler handler;
    private final ThreadPoolExecutor executor;
    private final int capacity;
    private final int maxDatagramSize;
    private final UdpEvents events;
    private final RateLimitedLog warnings;
    private final AtomicBoolean saturated = new AtomicBoolean();
    /** Counted from worker threads. */
    final LongAdder packetsOut = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder handlerErrors = new LongAdder();
    final LongAdder oversize = new LongAdder();
    final LongAdder queueFull = new LongAdder(); // answers dropped because the socket's queue was full

    public BlockingStage(DatagramHandler handler, int threads, int capacity, int maxDatagramSize, UdpEvents events,
                         RateLimitedLog warnings) {
        this.handler = handler;
        this.capacity = capacity;
        this.maxDatagramSize = maxDatagramSize;
        this.events = events;
        this.warnings = warnings;
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(capacity), new DefaultThreadFactory("netkit-udp-blocking", true));
    }

    /** From an I/O thread: queues a copy of the datagram, or drops it (counted on {@code path}). */
    void submit(ByteBuf content, InetSocketAddress sender, Channel channel, PacketPath path) {
        ByteBuf copy = channel.alloc().directBuffer(content.readableBytes()).writeBytes(content, content.readerIndex(),
                content.readableBytes());
        try {
            executor.execute(new Job(copy, sender, channel));
            if (saturated.get()) {
                saturated.set(false);
            }
        } catch (RejectedExecutionException e) { // full, or shut down
            copy.release();
            path.queueFull();
            if (!executor.isShutdown() && saturated.compareAndSet(false, true)) {
                events.blockingQueueFull(capacity);
            }
        }
    }

    /** Datagrams waiting for a worker now. */
    long queued() {
        return executor.getQueue().size();
    }

    /** Lets the queued jobs run for up to {@code timeoutMillis}, then stops the workers and releases what never ran. */
    public void shutdown(long timeoutMillis) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
                warnings.warn("UDP blocking handlers did not finish within " + timeoutMillis + " ms; interrupting them", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Runnable> neverRan = executor.shutdownNow();
        neverRan.forEach(r -> ((Job) r).discard());
    }

    private final class Job implements Runnable {
        private final ByteBuf copy;
        private final InetSocketAddress sender;
        private final Channel channel;

        Job(ByteBuf copy, InetSocketAddress sender, Channel channel) {
            this.copy = copy;
            this.sender = sender;
            this.channel = channel;
        }

        @Override
        public void run() {
            ReplySlot slot = new ReplySlot(channel.alloc(), maxDatagramSize, false);
            DatagramView view = new DatagramView();
            try {
                handler.onDatagram(view.set(copy, sender), slot);
            } catch (Throwable t) {
                slot.discard();
                handlerErrors.increment();
                warnings.warn("UDP blocking handler failed on a datagram from " + sender + "; dropped", t);
                return;
            } finally {
                view.clear();
                copy.release();
            }
            send(slot.take());
        }

        private void send(ByteBuf reply) {
            if (reply == null) {
                return;
            }
            int bytes = reply.readableBytes();
            if (bytes == 0) {
                reply.release(); // not sent, as on the I/O path
            } else if (bytes > maxDatagramSize) {
                reply.release();
                oversize.increment();
            } else if (!channel.isActive() || !channel.isWritable()) {
                reply.release();
                queueFull.increment();
            } else {
                channel.writeAndFlush(new DatagramPacket(reply, sender), channel.voidPromise());
                packetsOut.increment();
                bytesOut.add(bytes);
            }
        }

        void discard() {
            copy.release();
        }
    }
}
