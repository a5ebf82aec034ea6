package dev.netkit.netty.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Turns one request payload into one response payload, synchronously.
 *
 * <p>Registered with {@link FrameServer.Builder#handler}, it runs on the connection's event loop
 * and must not block; registered with {@link FrameServer.Builder#blockingHandler}, it runs on a
 * virtual thread and may block.
 *
 * <p><b>Buffers.</b> {@code request} holds the payload only (the correlation bytes are handled by
 * the server) and is valid only during the call: retain or copy it to keep it. The returned
 * buffer's ownership passes to the server, which writes and releases it. Returning the request
 * itself ({@code request} or {@code request.retain()}) echoes it; any other buffer derived from
 * the request (a slice, a duplicate) must be retained. A response found unreadable when it is
 * written (for example already released) is dropped and counted as a handler error.
 */
@FunctionalInterface
public interface RequestHandler {
    /**
     * Handles one request.
     *
     * @return the response payload, or {@code null} to send no reply (the client's deadline then
     *         decides); at most 65,531 bytes, larger responses are dropped and counted
     * @throws Exception to drop the request: the error is logged and counted, no reply is sent,
     *                   the connection stays open
     */
    ByteBuf handle(ByteBuf request, ByteBufAllocator alloc) throws Exception;

    /** A handler that answers every request with its own payload. */
    static RequestHandler echo() {
        return (request, alloc) -> request.retain();
    }

    /** Adapts a function on byte arrays; a {@code null} result means no reply. */
    static RequestHandler ofBytes(UnaryOperator<byte[]> function) {
        Objects.requireNonNull(function, "function");
        return (request, alloc) -> {
            byte[] in = new byte[request.readableBytes()];
            request.getBytes(request.readerIndex(), in);
            byte[] out = function.apply(in);
            return out == null ? null : Unpooled.wrappedBuffer(out);
        };
    }
}
