package dev.netkit.core.error;

/** A limit on in-flight or queued requests was reached; the request was not sent. Retrying later may succeed. */
public class QueueFullException extends NetkitException {
    /** Creates the exception with a message that names the state and limit involved. */
    public QueueFullException(String message) {
        this(message, null);
    }

    /** Creates the exception with a message and the underlying cause. */
    public QueueFullException(String message, Throwable cause) {
        super(ErrorKind.QUEUE_FULL, message, cause, false);
    }
}
