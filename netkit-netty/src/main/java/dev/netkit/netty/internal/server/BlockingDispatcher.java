package dev.netkit.netty.internal.server;

import dev.netkit.netty.server.RequestHandler;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs a blocking {@link RequestHandler} on a virtual thread per request, so it never stalls an
 * event loop. Each request costs two thread hand-offs; use the event-loop mode when the handler
 * does not block.
 */
public final class BlockingDispatcher implements RequestDispatcher {
    private final RequestHandler handler;
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("netkit-handler-", 0).factory());

    public BlockingDispatcher(RequestHandler handler) {
        this.handler = handler;
    }

    @Override
    public boolean limited() {
        return true;
    }

    @Override
    public void dispatch(ServerConnection connection, int correlation, ByteBuf buf, int payloadIndex, int length) {
        ByteBuf request;
        try {
            request = RequestDispatcher.copyOf(connection, buf, payloadIndex, length);
            executor.execute(() -> run(connection, correlation, request));
        } catch (Throwable t) { // allocation failure or executor shut down; the copy is released below
            connection.complete(correlation, null, t);
        }
    }

    private void run(ServerConnection connection, int correlation, ByteBuf request) {
        ByteBuf response = null;
        Throwable error = null;
        CurrentConnection.enter(connection.channel());
        try {
            response = RequestDispatcher.adopt(request, 1, handler.handle(request, connection.channel().alloc()));
        } catch (Throwable t) {
            error = t;
        } finally {
            CurrentConnection.exit();
            RequestDispatcher.releaseOwned(request);
            connection.complete(correlation, response, error);
        }
    }

    @Override
    public void shutdown() {
        executor.shutdownNow();
    }
}
