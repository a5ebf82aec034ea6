package dev.netkit.netty.internal.tls;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.netty.tls.TlsConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's TLS (a broker's or a probe checker's): the reloadable context and the handler per
 * connection. The name sent as SNI and verified is {@link TlsConfig#serverName()} or the
 * endpoint's host (an IP literal: no SNI, verified against the certificate's IP names). Thread-safe.
 */
public final class ClientTls implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClientTls.class);

    private final TlsConfig config;
    private final ReloadableTls<ClientTlsMaterial> material;

    /** Loads the material (throws {@link dev.netkit.netty.tls.TlsSetupException} naming the file). */
    public ClientTls(TlsConfig config, String owner, TlsCounters counters, EventLoopGroup loops) {
        this.config = config;
        SslProvider provider = TlsProviders.resolve(config.provider());
        this.material = new ReloadableTls<>(owner, () -> ClientTlsMaterial.load(config, provider), counters, loops,
                config.reloadCheckInterval());
        if (config.insecure()) {
            log.warn("TLS of {} accepts ANY server certificate (tls insecure): traffic is encrypted but the server is not"
                    + " authenticated; pin its fingerprint instead (tls pinnedSha256)", owner);
        }
        log.debug("TLS of {}: {} via {}", owner, config.mode(), TlsProviders.describe(provider));
    }

    /** A new client-side handler for a connection to {@code endpoint}, with the handshake timeout set. */
    public SslHandler newHandler(ByteBufAllocator alloc, Endpoint endpoint) {
        String host = config.serverName() != null ? config.serverName() : endpoint.host();
        SslHandler handler = material.current().context().newHandler(alloc, host, endpoint.port());
        handler.setHandshakeTimeoutMillis(config.handshakeTimeout().toMillis());
        return handler;
    }

    /** See {@link ReloadableTls#reload()}. */
    public void reload() {
        material.reload();
    }

    @Override
    public void close() {
        material.close();
    }
}
