package dev.netkit.netty.tls;

import java.nio.file.Path;

/**
 * The TLS material could not be set up: a file is missing, unreadable or malformed, a key does not
 * match its certificate, or the requested provider is not available. Thrown when a server or broker
 * starts (it does not start) and by a reload (the set in use stays). The message names the file
 * and the setting.
 */
public final class TlsSetupException extends RuntimeException {
    private final transient Path file;

    /** Creates the exception; {@code file} may be null when no single file is to blame. */
    public TlsSetupException(String message, Path file, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    /** The file to blame, or null. */
    public Path file() {
        return file;
    }
}
