package dev.netkit.netty.internal.server;

import dev.netkit.netty.server.AsyncRequestHandler;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletionStage;

/** Runs an {@link AsyncRequestHandler}; the request buffer is kept until its stage completes. */
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
        ByteBuf request = buf.retainedSlice(payloadIndex, length);
        CompletionStage<ByteBuf> stage;
        try {
            stage = handler.handle(request, connection.alloc());
        } catch (Throwable t) {
            request.release();
            connection.complete(correlation, null, t);
            return;
        }
        if (stage == null) {
            request.release();
            connection.complete(correlation, null, new NullPointerException("AsyncRequestHandler returned a null stage"));
            return;
        }
        stage.whenComplete((response, error) -> {
            request.release();
            connection.complete(correlation, response, error);
        });
    }
}
