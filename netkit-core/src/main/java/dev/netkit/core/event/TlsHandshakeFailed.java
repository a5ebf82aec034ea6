package dev.netkit.core.event;

import dev.netkit.core.endpoint.Endpoint;

/**
 * A TLS handshake failed, or a connection was closed because its first bytes showed the wrong
 * protocol (a plaintext client on a TLS port, a TLS client on a plaintext port), or a server
 * refused a new connection because too many handshakes were in progress. Also a JFR event,
 * {@code dev.netkit.TlsHandshakeFailed}.
 *
 * @param nanoTime {@link System#nanoTime()} when it happened
 * @param endpoint the peer (server side) or the server (client side)
 * @param side     which end reported it
 * @param reason   a stable snake_case label: {@code not_tls}, {@code tls_on_plaintext_port},
 *                 {@code handshake_timeout}, {@code too_many_handshakes},
 *                 {@code no_client_certificate}, {@code bad_certificate}, {@code unknown_ca},
 *                 {@code certificate_expired}, {@code certificate_not_yet_valid},
 *                 {@code hostname_mismatch}, {@code fingerprint_mismatch},
 *                 {@code protocol_version}, {@code peer_alert}, {@code closed_during_handshake},
 *                 {@code other}
 * @param detail   the engine's message, for a human
 */
public record TlsHandshakeFailed(long nanoTime, Endpoint endpoint, Side side, String reason, String detail)
        implements NetkitEvent {}
