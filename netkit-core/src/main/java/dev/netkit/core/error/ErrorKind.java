package dev.netkit.core.error;

/**
 * The closed set of failure kinds a netkit operation can end with. Each {@link NetkitException}
 * names one, so callers and reports (for example {@code netkit load}'s {@code errors_by_kind}) can
 * count failures without parsing messages.
 */
public enum ErrorKind {
    /** A bound on queued or in-flight work was full; nothing was sent. */
    QUEUE_FULL("queue_full"),
    /** The component (broker, server) was closed or is closing. */
    CLOSED("closed"),
    /** No endpoint was configured or none was reachable. */
    NO_ENDPOINTS("no_endpoints"),
    /** The connection pool was closed. */
    POOL_CLOSED("pool_closed"),
    /** A payload exceeded the wire format's limit; nothing was written. */
    FRAME_TOO_LARGE("frame_too_large"),
    /** The peer broke the wire protocol; the connection was closed. */
    PROTOCOL_VIOLATION("protocol_violation"),
    /** No response arrived before the request's deadline. */
    TIMEOUT("timeout"),
    /** The connection carrying the request failed or could not be opened. */
    CONNECTION_LOST("connection_lost"),
    /** A rate limit refused the request (its wait would outlast the deadline, or too many waited); nothing was sent. */
    RATE_LIMITED("rate_limited");

    private final String label;

    ErrorKind(String label) {
        this.label = label;
    }

    /** A stable snake_case label for reports and metrics, e.g. {@code "queue_full"}. */
    public String label() {
        return label;
    }
}
