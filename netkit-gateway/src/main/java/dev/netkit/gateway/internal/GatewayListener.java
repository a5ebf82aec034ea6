package dev.netkit.gateway.internal;

import dev.netkit.gateway.ListenerStats;
import dev.netkit.gateway.config.ListenerConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A running listener of the gateway: {@code AnetProxyListener}, {@code TcpProxyListener} or {@code UdpProxyListener}. */
public interface GatewayListener {
    String name();

    /** The configuration it runs with now. */
    ListenerConfig config();

    /** Where it is bound (the real port when configured with 0). */
    InetSocketAddress localAddress();

    ListenerStats stats();

    /**
     * Stops accepting and lets what is in flight finish: requests up to the listener's shutdown
     * timeout, L4 connections up to {@code connectionDrain}; then closes.
     */
    CompletableFuture<Void> closeAsync(Duration connectionDrain);

    /**
     * Reads its TLS files toward clients again, for new handshakes (open connections stay); nothing
     * for a plaintext listener.
     *
     * @throws dev.netkit.netty.tls.TlsSetupException naming the file when the new set is broken (the old one stays)
     */
    default void reloadTls() {
    }
}
