package dev.netkit.netty.tls;

import java.util.Locale;

/**
 * Why a TLS connection failed before carrying a request, or was refused: the keys of
 * {@code ServerStats.tlsFailures()}, the reasons of {@link dev.netkit.core.event.TlsHandshakeFailed}
 * and of {@link dev.netkit.core.error.TlsHandshakeException}, as {@link #label()}s.
 */
public enum TlsFailure {
    /** A TLS port got bytes that are not TLS (a plaintext client). */
    NOT_TLS,
    /** A plaintext port got a TLS ClientHello (a TLS client). */
    TLS_ON_PLAINTEXT_PORT,
    /** The handshake did not finish within {@link TlsConfig#handshakeTimeout()}. */
    HANDSHAKE_TIMEOUT,
    /** {@link TlsConfig#maxHandshakes()} handshakes were in progress: closed at once. */
    TOO_MANY_HANDSHAKES,
    /** A server requiring client certificates (mTLS) got none. */
    NO_CLIENT_CERTIFICATE,
    /** The peer's certificate was rejected for another reason (bad signature, wrong usage, ...). */
    BAD_CERTIFICATE,
    /** The peer's chain does not lead to a trusted CA. */
    UNKNOWN_CA,
    /** The peer's certificate (or one of its chain) has expired. */
    CERTIFICATE_EXPIRED,
    /** The peer's certificate (or one of its chain) is not valid yet. */
    CERTIFICATE_NOT_YET_VALID,
    /** The server's certificate does not name the host (or {@link TlsConfig#serverName()}). */
    HOSTNAME_MISMATCH,
    /** The server's certificate is not the pinned one ({@link TlsConfig#pinnedSha256()}). */
    FINGERPRINT_MISMATCH,
    /** No TLS version both sides accept (for example a TLS 1.2 client and a TLS 1.3-only server). */
    PROTOCOL_VERSION,
    /** The peer aborted the handshake with an alert: it rejected this side's certificate or parameters. */
    PEER_ALERT,
    /** The peer closed the connection before the handshake finished, without saying why. */
    CLOSED_DURING_HANDSHAKE,
    /** Anything else. */
    OTHER;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** A stable snake_case label, for example {@code "unknown_ca"}. */
    public String label() {
        return label;
    }
}
