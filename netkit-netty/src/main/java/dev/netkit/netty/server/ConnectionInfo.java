package dev.netkit.netty.server;

import dev.netkit.netty.internal.server.CurrentConnection;
import dev.netkit.netty.tls.PeerIdentity;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * What a handler may know about the connection a request came on: the client's address and, on a
 * TLS server, the negotiated version and the client's verified identity (mTLS).
 *
 * <pre>{@code
 * RequestHandler handler = (request, alloc) -> {
 *     String who = ConnectionInfo.current().peerIdentity().map(PeerIdentity::subject).orElse("anonymous");
 *     ...
 * };
 * }</pre>
 *
 * @param remoteAddress the client's address
 * @param tlsProtocol   the negotiated TLS version ({@code TLSv1.3}), or null on a plaintext server
 * @param cipherSuite   the negotiated cipher suite, or null on a plaintext server
 * @param peer          the client certificate's identity, verified against
 *                      {@link dev.netkit.netty.tls.TlsConfig#caCertificates()}; null without mTLS
 */
public record ConnectionInfo(InetSocketAddress remoteAddress, String tlsProtocol, String cipherSuite, PeerIdentity peer) {

    /**
     * The connection of the request this thread is handling. Valid during
     * {@link RequestHandler#handle} (event-loop and blocking handlers) and
     * {@link AsyncRequestHandler#handle} (take it before going asynchronous: completions run
     * elsewhere).
     *
     * @throws IllegalStateException when called outside a handler
     */
    public static ConnectionInfo current() {
        return CurrentConnection.info();
    }

    /** Whether the connection is TLS. */
    public boolean tls() {
        return tlsProtocol != null;
    }

    /** The client's verified certificate identity (mTLS), if it presented one. */
    public Optional<PeerIdentity> peerIdentity() {
        return Optional.ofNullable(peer);
    }
}
