package dev.netkit.core.error;

/** A payload is larger than the wire format can carry. It was rejected before anything was written. */
public class FrameTooLargeException extends NetkitException {
    private final int size;
    private final int limit;

    /** Creates the exception for a payload of {@code size} bytes against a limit of {@code limit}. */
    public FrameTooLargeException(int size, int limit) {
        super(ErrorKind.FRAME_TOO_LARGE,
                "payload of " + size + " bytes exceeds the frame limit of " + limit + " bytes", null, true);
        this.size = size;
        this.limit = limit;
    }

    /** The rejected payload's size in bytes. */
    public int size() {
        return size;
    }

    /** The largest payload the wire format allows, in bytes. */
    public int limit() {
        return limit;
    }
}
