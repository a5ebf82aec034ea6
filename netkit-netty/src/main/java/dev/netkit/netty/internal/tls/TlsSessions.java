package dev.netkit.netty.internal.tls;

import dev.netkit.netty.tls.PeerIdentity;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/** Reads a peer's identity from an established session. */
public final class TlsSessions {
    private TlsSessions() {}

    /** The peer's leaf certificate identity, or null when it presented none. */
    public static PeerIdentity peer(SSLSession session) {
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            return null;
        }
        return new PeerIdentity(leaf.getSubjectX500Principal().getName(X500Principal.RFC2253), sans(leaf), leaf);
    }

    /** {@code DNS:name}, {@code IP:address}, {@code URI:uri}, {@code email:address}; other kinds are left out. */
    static List<String> sans(X509Certificate cert) {
        Collection<List<?>> names;
        try {
            names = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (names != null) {
            for (List<?> n : names) {
                String prefix = switch ((Integer) n.get(0)) {
                    case 1 -> "email:";
                    case 2 -> "DNS:";
                    case 6 -> "URI:";
                    case 7 -> "IP:";
                    default -> null;
                };
                if (prefix != null && n.get(1) instanceof String value) {
                    out.add(prefix + value);
                }
            }
        }
        return out;
    }
}
