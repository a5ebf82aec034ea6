package dev.netkit.core.error;

import java.util.Objects;

/**
 * Root of netkit's unchecked exception hierarchy. Every failure a netkit operation reports is one
 * of its subclasses, each carrying an {@link ErrorKind} and a message with the state that
 * explains it (endpoint, counts, limits).
 *
 * <p>Failures of asynchronous requests are created on I/O threads, where a stack trace says
 * nothing about the caller, so subclasses used on hot paths skip filling it in; the cause (if
 * any) keeps its own trace.
 */
public abstract class NetkitException extends RuntimeException {
    private final ErrorKind kind;

    protected NetkitException(ErrorKind kind, String message, Throwable cause, boolean stackTrace) {
        super(message, cause, true, stackTrace);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** What kind of failure this is. */
    public ErrorKind kind() {
        return kind;
    }
}
