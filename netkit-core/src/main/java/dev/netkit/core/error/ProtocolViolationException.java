package dev.netkit.core.error;

/** The peer sent bytes that break the wire protocol (for example a length below the header size, or a response to an id never sent). The connection is closed. */
public class ProtocolViolationException extends NetkitException {
    /** Creates the exception with a message that names the state and limit involved. */
    public ProtocolViolationException(String message) {
        this(message, null);
    }

    /** Creates the exception with a message and the underlying cause. */
    public ProtocolViolationException(String message, Throwable cause) {
        super(ErrorKind.PROTOCOL_VIOLATION, message, cause, true);
    }
}
