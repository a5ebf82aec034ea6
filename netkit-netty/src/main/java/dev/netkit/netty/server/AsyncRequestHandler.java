package dev.netkit.netty.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.CompletionStage;

/**
 * Handles a request asynchronously; called on the connection's event loop and must return
 * without blocking. Responses may complete in any order; each carries its request's correlation.
 *
 * <p><b>Buffers.</b> {@code request} is the handler's own copy of the payload and stays valid
 * until the returned stage completes; the server releases it then. The response buffer's
 * ownership passes to the server; completing with the request itself echoes it.
 *
 * <p>A stage completing with {@code null} sends no reply; one completing exceptionally is logged
 * and counted and sends no reply. Requests in flight count against
 * {@link FrameServerConfig#maxConcurrentRequests()}.
 */
@FunctionalInterface
public interface AsyncRequestHandler {
    /** Starts handling one request. */
    CompletionStage<ByteBuf> handle(ByteBuf request, ByteBufAllocator alloc);
}
