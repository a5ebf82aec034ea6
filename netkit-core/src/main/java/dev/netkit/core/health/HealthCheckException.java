package dev.netkit.core.health;

import java.util.Objects;

/**
 * Why a health check failed. The message is the reason reported to listeners and in stats, for
 * example {@code "connect to 127.0.0.1:7001 refused"}.
 *
 * <p>Not a {@link dev.netkit.core.error.NetkitException}: it is a verdict about an endpoint, not the
 * failure of a caller's operation. Created every few seconds per unhealthy endpoint, so it has no
 * stack trace; the cause (if any) keeps its own.
 */
public class HealthCheckException extends RuntimeException {
    /** What kind of failure, for metrics without parsing messages. */
    public enum Kind {
        /** The connection could not be opened: refused, unreachable, unknown host. */
        CONNECT_FAILED,
        /** The check did not finish within its timeout (connecting or waiting for the answer). */
        TIMED_OUT,
        /** The endpoint answered, but not with what the probe expects. */
        WRONG_ANSWER,
        /** The peer closed or reset the connection before answering. */
        CLOSED_BY_PEER,
        /** The peer broke the wire protocol. */
        PROTOCOL_VIOLATION,
        /** Anything else: the checker failed or threw. */
        ERROR
    }

    private final Kind kind;

    /** Creates the exception; {@code message} is the reason as listeners will see it. */
    public HealthCheckException(Kind kind, String message) {
        this(kind, message, null);
    }

    /** Creates the exception with the underlying cause. */
    public HealthCheckException(Kind kind, String message, Throwable cause) {
        super(message, cause, true, false);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** What kind of failure this is. */
    public Kind kind() {
        return kind;
    }
}
