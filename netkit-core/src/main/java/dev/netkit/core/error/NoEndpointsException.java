package dev.netkit.core.error;

/** No endpoint is configured, or none can currently be reached. */
public class NoEndpointsException extends NetkitException {
    /** Creates the exception with a message that names the state and limit involved. */
    public NoEndpointsException(String message) {
        this(message, null);
    }

    /** Creates the exception with a message and the underlying cause. */
    public NoEndpointsException(String message, Throwable cause) {
        super(ErrorKind.NO_ENDPOINTS, message, cause, false);
    }
}
