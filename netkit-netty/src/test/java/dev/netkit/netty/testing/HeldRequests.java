package dev.netkit.netty.testing;

import dev.netkit.netty.server.AsyncRequestHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An async handler that holds every request until the test answers it, so tests control exactly
 * when (and in which order) responses complete — no sleeps needed.
 */
public final class HeldRequests implements AsyncRequestHandler {
    /** A request the handler received and has not answered yet. */
    public record Held(byte[] payload, CompletableFuture<ByteBuf> reply) {
        /** Answers with the request's own payload. */
        public void echo() {
            reply.complete(Unpooled.wrappedBuffer(payload));
        }
    }

    private final BlockingQueue<Held> held = new LinkedBlockingQueue<>();
    private final AtomicInteger started = new AtomicInteger();

    @Override
    public CompletionStage<ByteBuf> handle(ByteBuf request, io.netty.buffer.ByteBufAllocator alloc) {
        byte[] payload = new byte[request.readableBytes()];
        request.getBytes(request.readerIndex(), payload);
        CompletableFuture<ByteBuf> reply = new CompletableFuture<>();
        started.incrementAndGet();
        held.add(new Held(payload, reply));
        return reply;
    }

    /** Waits (bounded) for the next held request. */
    public Held next() throws InterruptedException {
        Held h = held.poll(5, TimeUnit.SECONDS);
        if (h == null) {
            throw new AssertionError("no request reached the handler within 5 s (started so far: " + started.get() + ")");
        }
        return h;
    }

    /** How many requests the handler has been given so far. */
    public int started() {
        return started.get();
    }
}
