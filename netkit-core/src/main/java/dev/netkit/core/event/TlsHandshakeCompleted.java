package dev.netkit.core.event;

import dev.netkit.core.endpoint.Endpoint;
import java.util.List;

/**
 * A TLS handshake completed: on a server, with a client (whose certificate, if it had to present
 * one, was verified); on a client, with a server whose certificate was accepted. One event per
 * connection, so bus only (no JFR twin, like {@link ConnectionOpened}).
 *
 * @param nanoTime    {@link System#nanoTime()} when it happened
 * @param endpoint    the peer (server side) or the server (client side)
 * @param side        which end reported it
 * @param protocol    the negotiated version, for example {@code TLSv1.3}
 * @param cipherSuite the negotiated cipher suite
 * @param peerSubject the verified peer certificate's subject (RFC 2253), or empty when the peer
 *                    presented none (a server without client authentication)
 * @param peerSans    the verified peer certificate's subject alternative names as
 *                    {@code DNS:name}, {@code IP:address}, {@code URI:uri}, {@code email:address};
 *                    empty when none
 */
public record TlsHandshakeCompleted(long nanoTime, Endpoint endpoint, Side side, String protocol, String cipherSuite,
                                   String peerSubject, List<String> peerSans) implements NetkitEvent {
    /** Copies the names. */
    public TlsHandshakeCompleted {
        peerSans = List.copyOf(peerSans);
    }
}
