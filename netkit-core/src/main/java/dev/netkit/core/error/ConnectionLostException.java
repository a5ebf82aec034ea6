package dev.netkit.core.error;

/** The connection carrying a request was lost (or could not be opened) before its response arrived. The message names the endpoint; the cause is the transport's error. */
public class ConnectionLostException extends NetkitException {
    /** Creates the exception with a message that names the state and limit involved. */
    public ConnectionLostException(String message) {
        this(message, null);
    }

    /** Creates the exception with a message and the underlying cause. */
    public ConnectionLostException(String message, Throwable cause) {
        super(ErrorKind.CONNECTION_LOST, message, cause, false);
    }
}
