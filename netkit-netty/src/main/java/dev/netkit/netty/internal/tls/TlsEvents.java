package dev.netkit.netty.internal.tls;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.event.Side;
import dev.netkit.core.event.TlsHandshakeCompleted;
import dev.netkit.core.event.TlsHandshakeFailed;
import dev.netkit.netty.internal.event.Emitter;
import dev.netkit.netty.tls.PeerIdentity;
import dev.netkit.netty.tls.TlsFailure;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import javax.net.ssl.SSLSession;

/** TLS events of one side: completions to the bus (when it listens), failures to JFR and the bus. Thread-safe. */
public final class TlsEvents {
    private final Emitter emitter;
    private final Side side;

    public TlsEvents(Emitter emitter, Side side) {
        this.emitter = emitter;
        this.side = side;
    }

    public void completed(SocketAddress peer, SSLSession session, PeerIdentity identity) {
        if (emitter.wanted(TlsHandshakeCompleted.class)) {
            completed(endpointOf(peer), session, identity);
        }
    }

    public void completed(Endpoint e, SSLSession session, PeerIdentity identity) {
        if (emitter.wanted(TlsHandshakeCompleted.class)) {
            if (e != null) {
                emitter.bus(new TlsHandshakeCompleted(System.nanoTime(), e, side, session.getProtocol(), session.getCipherSuite(),
                        identity == null ? "" : identity.subject(), identity == null ? List.of() : identity.subjectAlternativeNames()));
            }
        }
    }

    public void failed(SocketAddress peer, TlsFailure reason, String detail) {
        Endpoint e = endpointOf(peer);
        if (e != null) {
            failed(e, reason, detail);
        }
    }

    public void failed(Endpoint endpoint, TlsFailure reason, String detail) {
        emitter.rare(new TlsHandshakeFailed(System.nanoTime(), endpoint, side, reason.label(), detail));
    }

    private static Endpoint endpointOf(SocketAddress address) {
        return address instanceof InetSocketAddress a && a.getPort() > 0 ? new Endpoint(a.getHostString(), a.getPort()) : null;
    }
}
