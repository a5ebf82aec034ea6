package dev.netkit.netty.tls;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * The verified identity of a TLS peer: its certificate, checked against the configured CA (a
 * client under mTLS, seen by the server) or accepted by the client's rules (a server).
 *
 * @param subject                 the certificate's subject, RFC 2253 ({@code CN=client-a,O=Example})
 * @param subjectAlternativeNames {@code DNS:name}, {@code IP:address}, {@code URI:uri},
 *                                {@code email:address}, in the certificate's order
 * @param certificate             the leaf certificate itself
 */
public record PeerIdentity(String subject, List<String> subjectAlternativeNames, X509Certificate certificate) {
    /** Copies the names. */
    public PeerIdentity {
        Objects.requireNonNull(subject, "subject");
        subjectAlternativeNames = List.copyOf(subjectAlternativeNames);
        Objects.requireNonNull(certificate, "certificate");
    }
}
