package dev.netkit.netty.internal.server;

import io.netty.buffer.ByteBuf;

/** Runs a request through the user's handler in one of the three handling modes. */
public interface RequestDispatcher {
    /** Whether requests hold a {@link ConcurrencyLimiter} permit while being handled. */
    boolean limited();

    /**
     * Handles the request whose payload is {@code buf[payloadIndex, payloadIndex + length)}; the
     * bytes are valid only during the call. The outcome is reported to
     * {@code connection.complete(correlation, response, error)} exactly once (possibly before
     * this method returns, possibly on another thread).
     */
    void dispatch(ServerConnection connection, int correlation, ByteBuf buf, int payloadIndex, int length);

    /** Stops background resources (blocking executor); called once the server stopped. */
    default void shutdown() {}

    /**
     * A handler may answer with its own request buffer ("echo"). {@code request.retain()} returns
     * the same object, so identity cannot tell whether the handler took the reference it hands
     * over; the reference count can. If it did not, take it on its behalf instead of letting the
     * server release a buffer it does not own.
     */
    static ByteBuf adopt(ByteBuf request, int refCntBefore, ByteBuf response) {
        // Reliable only when nobody else moves the count meanwhile: a request that outlives the
        // read (async, blocking) is therefore a copy with its own count, see copyOf.
        if (response == request && request.refCnt() == refCntBefore) {
            request.retain();
        }
        return response;
    }

    /**
     * The payload as a buffer of its own (reference count 1). A slice would share the count of
     * the whole read buffer (Netty 4.2's adaptive allocator), which other requests' releases move
     * from other threads, and would pin that buffer while the handler works.
     */
    static ByteBuf copyOf(ServerConnection connection, ByteBuf buf, int payloadIndex, int length) {
        return connection.channel().alloc().buffer(length).writeBytes(buf, payloadIndex, length);
    }

    /**
     * Releases the server's reference to a request copy. A handler may already have released it
     * (a common Netty habit); that must not throw here and skip completing the request.
     */
    static void releaseOwned(ByteBuf request) {
        if (request.refCnt() > 0) {
            request.release();
        }
    }
}
