package dev.netkit.netty.server;

/**
 * Fails a request in a way that closes its connection: a handler throws this (or completes its
 * stage with it) when the client must not keep the connection, for example a proxy that cannot
 * serve a request and was told to signal that by closing (wire format v1 has no error frame).
 * The server sends no reply to this request, starts no new requests on the connection, answers
 * the requests already in flight (bounded by the write timeout), then closes it. Counted in
 * {@link ServerStats#handlerClosed()}; the close reason is {@code handler_closed}.
 */
public class CloseConnectionException extends RuntimeException {
    /** @param reason why, for the server's log */
    public CloseConnectionException(String reason) {
        super(reason, null, false, false); // an expected outcome: no stack trace
    }
}
