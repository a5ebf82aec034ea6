package dev.netkit.netty.internal.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one server certificate, by its SHA-256 fingerprint (a self-signed server's), or
 * any certificate when {@code pin} is null (the explicit {@code insecure} mode). Neither checks
 * names nor dates: the pin is the identity.
 */
final class PinnedTrustManager extends X509ExtendedTrustManager {
    /** A server certificate that is not the pinned one; classified as {@code fingerprint_mismatch}. */
    static final class FingerprintMismatchException extends CertificateException {
        FingerprintMismatchException(String message) {
            super(message);
        }
    }

    private final String pin; // null: insecure

    PinnedTrustManager(String pin) {
        this.pin = pin;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (pin == null) {
            return;
        }
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the server presented no certificate");
        }
        String actual = Fingerprints.sha256(chain[0]);
        if (!actual.equals(pin)) {
            throw new FingerprintMismatchException("server certificate sha256 " + actual + " is not the pinned " + pin);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a pinning trust manager does not check clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
