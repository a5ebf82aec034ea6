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
}
