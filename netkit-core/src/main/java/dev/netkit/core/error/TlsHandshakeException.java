package dev.netkit.core.error;

import java.util.Objects;

/**
 * A TLS handshake failed, so the connection never carried a request: the peer's certificate was
 * not trusted (expired, wrong host, unknown CA, fingerprint not the pinned one), the peer refused
 * ours, the versions did not match, or the handshake timed out. Its kind is
 * {@link ErrorKind#CONNECTION_LOST} (a connect that failed), so balancers, health checks and retry
 * policies treat it as one; {@link #reason()} says which TLS failure it was.
 */
public class TlsHandshakeException extends ConnectionLostException {
    private final String reason;

    /**
     * Creates the exception.
     *
     * @param reason  a stable snake_case label, for example {@code "unknown_ca"} or
     *                {@code "hostname_mismatch"}
     * @param message what happened, naming the endpoint
     * @param cause   the TLS engine's error, if any
     */
    public TlsHandshakeException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Which TLS failure: a stable snake_case label, for example {@code "certificate_expired"}. */
    public String reason() {
        return reason;
    }
}
