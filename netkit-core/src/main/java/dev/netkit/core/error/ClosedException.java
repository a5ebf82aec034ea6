package dev.netkit.core.error;

/** The component was closed, or is closing, so it accepts no more work. */
public class ClosedException extends NetkitException {
    /** Creates the exception with a message naming what is closed. */
    public ClosedException(String message) {
        this(ErrorKind.CLOSED, message);
    }

    /** For subclasses that report a more specific kind of closing. */
    protected ClosedException(ErrorKind kind, String message) {
        super(kind, message, null, false);
    }
}
