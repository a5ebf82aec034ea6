package dev.netkit.netty.internal.tls;

import dev.netkit.core.event.Side;
import dev.netkit.netty.internal.RateLimitedLog;
import dev.netkit.netty.internal.event.Emitter;
import dev.netkit.netty.tls.TlsConfig;
import dev.netkit.netty.tls.TlsFailure;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.AttributeKey;
import io.netty.util.Mapping;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design note. A TLS server connection's pipeline, from the socket in:
 *
 *   SniHandler ("netkit-tls")          reads the ClientHello, picks the context by server name (one
 *                                      volatile read of the current material), and replaces itself
 *                                      with an SslHandler
 *   ServerHandshake ("netkit-tls-handshake")
 *                                      holds the handshake slot and the one handshake timer; on
 *                                      success replaces itself with the ServerConnection, so
 *                                      nothing is decoded before the handshake and nothing extra
 *                                      runs per read after it; on failure counts, logs, closes
 *
 * The bound on handshakes in progress is one AtomicInteger: taken at accept (before any handler
 * exists), given back exactly once by ServerHandshake (success, failure, timeout or close).
 */
/** A server's TLS: the reloadable material, the handshake bound, and the handlers of each connection. Thread-safe. */
public final class ServerTls implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);
    /** The failure's label, set on a channel closed for a TLS reason (for its close event). */
    public static final AttributeKey<String> FAILURE = AttributeKey.valueOf("netkit.tlsFailure");

    final TlsConfig config;
    final TlsCounters counters;
    final RateLimitedLog warnings;
    final TlsEvents events;
    private final SslProvider provider;
    private final ReloadableTls<ServerTlsMaterial> material;
    private final Mapping<String, SslContext> byName;
    private final AtomicInteger inProgress = new AtomicInteger();

    /** Loads the material (throws {@link dev.netkit.netty.tls.TlsSetupException} naming the file). */
    public ServerTls(TlsConfig config, String owner, TlsCounters counters, RateLimitedLog warnings, Emitter emitter,
                     EventLoopGroup loops) {
        this.config = config;
        this.counters = counters;
        this.warnings = warnings;
        this.events = new TlsEvents(emitter, Side.SERVER);
        this.provider = TlsProviders.resolve(config.provider());
        SelfSigned selfSigned = config.mode() == TlsConfig.Mode.SELF_SIGNED ? SelfSigned.generate() : null;
        this.material = new ReloadableTls<>(owner, () -> ServerTlsMaterial.load(config, provider, selfSigned), counters,
                loops, config.reloadCheckInterval());
        this.byName = name -> material.current().select(name);
        log.info("TLS on {}: {} via {}, {}{}{}", owner, config.mode().name().toLowerCase(java.util.Locale.ROOT),
                TlsProviders.describe(provider), config.minVersion() == TlsConfig.Version.TLS_1_2 ? "TLSv1.3 and TLSv1.2" : "TLSv1.3 only",
                config.caCertificates() == null ? "" : ", client certificates required (mTLS)",
                config.sniCertificates().isEmpty() ? "" : ", " + config.sniCertificates().size() + " SNI certificate(s)");
    }

    /**
     * Takes a handshake slot for a new connection; false (counted, logged) when
     * {@link TlsConfig#maxHandshakes()} are in progress: the caller closes the connection.
     */
    public boolean tryBegin(SocketAddress peer) {
        if (inProgress.incrementAndGet() <= config.maxHandshakes()) {
            return true;
        }
        inProgress.decrementAndGet();
        counters.failed(TlsFailure.TOO_MANY_HANDSHAKES);
        events.failed(peer, TlsFailure.TOO_MANY_HANDSHAKES, "maxHandshakes " + config.maxHandshakes() + " in progress");
        warnings.warn("refused connection from " + peer + ": maxHandshakes " + config.maxHandshakes()
                + " TLS handshakes in progress (tls too_many_handshakes)", null);
        return false;
    }

    /** Adds the handshake handlers; {@code connection} takes their place once the handshake succeeded. */
    public void install(Channel ch, ChannelHandler connection, SocketAddress peer) {
        ch.pipeline().addLast("netkit-tls", new SniHandler(byName, 0L)) // 0: ServerHandshake runs the one timer
                .addLast("netkit-tls-handshake", new ServerHandshake(this, connection, peer));
    }

    void ended() {
        inProgress.decrementAndGet();
    }

    /** Handshakes in progress now. */
    public int inProgress() {
        return inProgress.get();
    }

    /** SHA-256 of the default certificate in use. */
    public String fingerprint() {
        return material.current().fingerprint();
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
