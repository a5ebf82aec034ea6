package dev.netkit.gateway.config;

/**
 * One listener of the gateway: a name, where it binds, and what it proxies. An
 * {@link AnetListenerConfig} ({@code protocol: anet}) routes and balances each request; a
 * {@link TcpListenerConfig} ({@code protocol: tcp}) balances each connection.
 */
public sealed interface ListenerConfig permits AnetListenerConfig, TcpListenerConfig {
    /** The listener's name, unique in the file. */
    String name();

    /** Where it binds. */
    BindAddress bind();

    /** What it proxies. */
    Protocol protocol();
}
