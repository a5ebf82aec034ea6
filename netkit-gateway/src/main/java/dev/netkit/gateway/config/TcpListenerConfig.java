package dev.netkit.gateway.config;

import static dev.netkit.core.internal.Checks.positive;

import dev.netkit.core.ip.IpPolicy;
import dev.netkit.netty.tls.TlsConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * An L4 listener ({@code protocol: tcp}): each client connection is balanced over {@code cluster}
 * and its bytes relayed both ways unchanged.
 *
 * @param name           unique in the file
 * @param bind           where it binds
 * @param cluster        the name of a cluster of the same file
 * @param lb             how a connection's endpoint is chosen; default: the cluster's {@code lb}
 * @param stickyTtl      with {@code lb: sticky}: how long a client's IP keeps its endpoint after its
 *                       last connection; default {@value #DEFAULT_STICKY_TTL_MINUTES} min
 * @param idleTimeout    a proxied connection with no byte either way this long is closed; default 5 min
 * @param connectTimeout opening the upstream connection may take this long before the next
 *                       endpoint is tried; default: the cluster's {@code timeouts.connect}
 * @param maxConnections client connections beyond this are accepted and closed at once; default 10,000
 * @param proxyProtocol  whether upstreams get a PROXY protocol header; default {@link ProxyProtocol#NONE}
 * @param ipPolicy       which clients it accepts and the per-IP limits ({@code ip_policy}); default
 *                       {@link IpPolicy#allowAll()}; changed by a reload without re-binding
 * @param tls            TLS toward clients ({@code tls:}): terminated here, the upstream side is
 *                       the cluster's (its own {@code tls:}, or plaintext); default {@link TlsConfig#none()}
 */
public record TcpListenerConfig(
        String name,
        BindAddress bind,
        String cluster,
        LbPolicy lb,
        Duration stickyTtl,
        Duration idleTimeout,
        Duration connectTimeout,
        int maxConnections,
        ProxyProtocol proxyProtocol,
        IpPolicy ipPolicy,
        TlsConfig tls) implements ListenerConfig {

    /** The default {@code sticky_ttl}, in minutes. */
    public static final int DEFAULT_STICKY_TTL_MINUTES = 30;

    /** Validates every field. */
    public TcpListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(lb, "lb");
        positive("stickyTtl", stickyTtl);
        positive("idleTimeout", idleTimeout);
        positive("connectTimeout", connectTimeout);
        positive("maxConnections", maxConnections);
        Objects.requireNonNull(proxyProtocol, "proxyProtocol");
        Objects.requireNonNull(ipPolicy, "ipPolicy");
        Objects.requireNonNull(tls, "tls").checkServer();
    }

    /** A plaintext listener. */
    public TcpListenerConfig(String name, BindAddress bind, String cluster, LbPolicy lb, Duration stickyTtl,
                             Duration idleTimeout, Duration connectTimeout, int maxConnections, ProxyProtocol proxyProtocol,
                             IpPolicy ipPolicy) {
        this(name, bind, cluster, lb, stickyTtl, idleTimeout, connectTimeout, maxConnections, proxyProtocol, ipPolicy,
                TlsConfig.none());
    }

    @Override
    public Protocol protocol() {
        return Protocol.TCP;
    }
}
