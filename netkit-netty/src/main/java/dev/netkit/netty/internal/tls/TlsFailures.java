package dev.netkit.netty.internal.tls;

import dev.netkit.netty.tls.TlsFailure;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;

/**
 * Names the reason of a TLS failure from the engine's exception: first by the types in its cause
 * chain (the trust manager's own exceptions survive in both the JDK's and OpenSSL's engines), then
 * by the messages the two engines use (JDK: "Received fatal alert: unknown_ca"; BoringSSL:
 * "...:TLSV1_ALERT_UNKNOWN_CA").
 */
public final class TlsFailures {
    private TlsFailures() {}

    public static TlsFailure classify(Throwable error) {
        TlsFailure byType = byType(error);
        return byType != null ? byType : byMessage(messages(error));
    }

    private static TlsFailure byType(Throwable error) {
        for (Throwable c = error; c != null; c = c.getCause()) {
            if (c instanceof NotSslRecordException) {
                return TlsFailure.NOT_TLS;
            }
            if (c instanceof SslHandshakeTimeoutException) {
                return TlsFailure.HANDSHAKE_TIMEOUT;
            }
            if (c instanceof PinnedTrustManager.FingerprintMismatchException) {
                return TlsFailure.FINGERPRINT_MISMATCH;
            }
            if (c instanceof CertificateExpiredException) {
                return TlsFailure.CERTIFICATE_EXPIRED;
            }
            if (c instanceof CertificateNotYetValidException) {
                return TlsFailure.CERTIFICATE_NOT_YET_VALID;
            }
            if (c instanceof CertPathBuilderException) {
                return TlsFailure.UNKNOWN_CA;
            }
            if (c instanceof CertPathValidatorException v && v.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
                return TlsFailure.CERTIFICATE_EXPIRED;
            }
            if (c instanceof CertPathValidatorException v && v.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
                return TlsFailure.CERTIFICATE_NOT_YET_VALID;
            }
            if (c instanceof ClosedChannelException) {
                return TlsFailure.CLOSED_DURING_HANDSHAKE;
            }
        }
        return null;
    }

    private static String messages(Throwable error) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = error; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append(" | ");
        }
        return all.toString().toLowerCase(Locale.ROOT);
    }

    private static TlsFailure byMessage(String m) {
        if (m.contains("no subject alternative") || m.contains("no name matching")) {
            return TlsFailure.HOSTNAME_MISMATCH;
        }
        if (m.contains("empty client certificate chain") || m.contains("peer_did_not_return_a_certificate")
                || m.contains("certificate_required")) {
            return TlsFailure.NO_CLIENT_CERTIFICATE;
        }
        if (m.contains("protocol_version") || m.contains("no appropriate protocol") || m.contains("unsupported_protocol")
                || m.contains("protocol is disabled") || m.contains("not enabled or not supported")) {
            return TlsFailure.PROTOCOL_VERSION;
        }
        if (m.contains("alert")) {
            return TlsFailure.PEER_ALERT;
        }
        if (m.contains("unable to find valid certification path") || m.contains("pkix path building failed")) {
            return TlsFailure.UNKNOWN_CA;
        }
        if (m.contains("certificate")) {
            return TlsFailure.BAD_CERTIFICATE;
        }
        if (m.contains("closed") || m.contains("connection reset")) {
            return TlsFailure.CLOSED_DURING_HANDSHAKE;
        }
        return TlsFailure.OTHER;
    }

    /**
     * The most telling message, cut to a log-friendly length: the root cause's (the trust
     * manager's own words, such as "NotAfter: ..." or the fingerprints) when it has one, else the
     * engine's (a not-TLS record's message dumps the bytes, hence the cut).
     */
    public static String detail(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getMessage() != null ? root.getMessage()
                : error.getMessage() != null ? error.getMessage() : root.getClass().getSimpleName();
        return text.length() > 240 ? text.substring(0, 240) + "..." : text;
    }

    /** What to tell an operator beside the reason. */
    public static String hint(TlsFailure f) {
        return switch (f) {
            case NOT_TLS -> "; the client spoke plaintext to a TLS port: enable TLS on the client";
            case TLS_ON_PLAINTEXT_PORT -> "; the client sent a TLS ClientHello to a plaintext port: enable TLS on the server or disable it on the client";
            case HANDSHAKE_TIMEOUT -> "; the peer stalled";
            case NO_CLIENT_CERTIFICATE -> "; this server requires a client certificate (mTLS)";
            case UNKNOWN_CA -> "; the peer's certificate is not signed by a trusted CA";
            case HOSTNAME_MISMATCH -> "; the certificate does not name the host (set serverName if it names another)";
            case FINGERPRINT_MISMATCH -> "; the server's certificate is not the pinned one (a restarted self-signed server has a new one)";
            case PROTOCOL_VERSION -> "; no TLS version both sides accept";
            case PEER_ALERT -> "; the peer refused this side's certificate or parameters";
            default -> "";
        };
    }
}
