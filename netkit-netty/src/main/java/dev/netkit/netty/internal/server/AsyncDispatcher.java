package dev.netkit.netty.internal.server;

import dev.netkit.netty.server.AsyncRequestHandler;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletionStage;

/**
 * Runs an {@link AsyncRequestHandler}. The request is a copy with its own reference count, kept
 * until the stage completes: it does not pin the connection's read buffer meanwhile.
 */
public final class AsyncDispatcher implements RequestDispatcher {
    private final AsyncRequestHandler handler;

    public AsyncDispatcher(AsyncRequestHandler handler) {
        this.handler = handler;
    }

    @Override
    public boolean limited() {
        return true;
    }

    @Override
    public void dispatch(ServerConnection connection, int correlation, ByteBuf buf, int payloadIndex, int length) {
        ByteBuf request;
        CompletionStage<ByteBuf> stage;
        try {
            request = RequestDispatcher.copyOf(connection, buf, payloadIndex, length);
        } catch (Throwable t) {
            connection.complete(correlation, null, t);
            return;
        }
        CurrentConnection.enter(connection.channel());
        try {
            stage = handler.handle(request, connection.channel().alloc());
        } catch (Throwable t) {
            RequestDispatcher.releaseOwned(request);
            connection.complete(correlation, null, t);
            return;
        } finally {
            CurrentConnection.exit();
        }
        if (stage == null) {
            RequestDispatcher.releaseOwned(request);
            connection.complete(correlation, null, new NullPointerException("AsyncRequestHandler returned a null stage"));
            return;
        }
        stage.whenComplete((response, error) -> {
            ByteBuf owned = null;
            try {
                owned = RequestDispatcher.adopt(request, 1, response);
                RequestDispatcher.releaseOwned(request);
            } finally {
                connection.complete(correlation, owned != null ? owned : response, error);
            }
        });
    }
}
