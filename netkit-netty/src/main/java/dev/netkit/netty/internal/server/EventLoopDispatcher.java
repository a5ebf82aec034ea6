package dev.netkit.netty.internal.server;

import dev.netkit.netty.server.RequestHandler;
import io.netty.buffer.ByteBuf;

/** Runs a non-blocking {@link RequestHandler} right on the event loop: no thread hand-off. */
public final class EventLoopDispatcher implements RequestDispatcher {
    private final RequestHandler handler;

    public EventLoopDispatcher(RequestHandler handler) {
        this.handler = handler;
    }

    @Override
    public boolean limited() {
        return false; // at most one runs per event loop at a time
    }

    @Override
    public void dispatch(ServerConnection connection, int correlation, ByteBuf buf, int payloadIndex, int length) {
        ByteBuf request = buf.slice(payloadIndex, length);
        int refCnt = request.refCnt();
        ByteBuf response;
        CurrentConnection.enter(connection.channel());
        try {
            response = RequestDispatcher.adopt(request, refCnt, handler.handle(request, connection.channel().alloc()));
        } catch (Throwable t) {
            connection.complete(correlation, null, t);
            return;
        } finally {
            CurrentConnection.exit();
        }
        connection.complete(correlation, response, null);
    }
}
