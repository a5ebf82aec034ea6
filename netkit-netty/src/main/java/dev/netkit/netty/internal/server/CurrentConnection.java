package dev.netkit.netty.internal.server;

import dev.netkit.netty.server.ConnectionInfo;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetSocketAddress;

/**
 * The channel whose request the current thread is handling, for {@link ConnectionInfo#current()}.
 * A {@link FastThreadLocal}: on an event loop, setting and clearing it is two array stores, so the
 * dispatchers do it around every handler call whether or not anyone asks.
 */
public final class CurrentConnection {
    /** Set by the TLS handshake handler when it succeeds; computed on first use otherwise. */
    public static final AttributeKey<ConnectionInfo> INFO = AttributeKey.valueOf("netkit.connectionInfo");

    private static final FastThreadLocal<Channel> CURRENT = new FastThreadLocal<>();

    private CurrentConnection() {}

    /** Marks {@code channel} as the current thread's connection until {@link #exit()}. */
    static void enter(Channel channel) {
        CURRENT.set(channel);
    }

    /** Clears it: a null store, not remove(), which would also churn Netty's removal set per request. */
    static void exit() {
        CURRENT.set(null);
    }

    /** The current connection's info; throws outside a handler call. */
    public static ConnectionInfo info() {
        Channel channel = CURRENT.get();
        if (channel == null) {
            throw new IllegalStateException("ConnectionInfo.current(): no request is being handled on this thread"
                    + " (call it inside RequestHandler.handle or AsyncRequestHandler.handle)");
        }
        ConnectionInfo info = channel.attr(INFO).get();
        if (info == null) { // plaintext: only the address to tell
            info = new ConnectionInfo((InetSocketAddress) channel.remoteAddress(), null, null, null);
            channel.attr(INFO).setIfAbsent(info);
        }
        return info;
    }
}
