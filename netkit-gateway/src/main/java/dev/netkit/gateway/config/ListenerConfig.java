package dev.netkit.gateway.config;

import dev.netkit.core.ip.IpPolicy;
import dev.netkit.netty.tls.TlsConfig;

/**
 * One listener of the gateway: a name, where it binds, and what it proxies. An
 * {@link AnetListenerConfig} ({@code protocol: anet}) routes and balances each request; a
 * {@link TcpListenerConfig} ({@code protocol: tcp}) balances each connection; a
 * {@link UdpListenerConfig} ({@code protocol: udp}) balances each client's session of datagrams.
 */
public sealed interface ListenerConfig permits AnetListenerConfig, TcpListenerConfig, UdpListenerConfig {
    /** The listener's name, unique in the file. */
    String name();

    /** Where it binds. */
    BindAddress bind();

    /** What it proxies. */
    Protocol protocol();

    /**
     * Which clients it accepts, by IP address, and the per-IP limits ({@code ip_policy:}); default
     * {@link IpPolicy#allowAll()}. A reload changes it in place (no re-bind; open connections stay).
     */
    IpPolicy ipPolicy();

    /**
     * TLS toward clients ({@code tls:}): the listener terminates it; default
     * {@link TlsConfig#none()}. A reload re-reads its files for new handshakes; a changed
     * section re-binds the listener.
     */
    TlsConfig tls();
}
