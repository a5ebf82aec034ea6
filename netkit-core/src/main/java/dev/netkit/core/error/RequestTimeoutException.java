package dev.netkit.core.error;

/** No response arrived before the request's deadline. The request's slot was freed; a late response is discarded. */
public class RequestTimeoutException extends NetkitException {
    /** Creates the exception with a message that names the state and limit involved. */
    public RequestTimeoutException(String message) {
        this(message, null);
    }

    /** Creates the exception with a message and the underlying cause. */
    public RequestTimeoutException(String message, Throwable cause) {
        super(ErrorKind.TIMEOUT, message, cause, false);
    }
}
