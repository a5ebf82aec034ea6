package dev.netkit.netty.internal.tls;

import java.nio.file.Path;
import java.util.List;

/** One loaded set of TLS contexts and the files it came from. */
public interface TlsMaterial {
    /** The files read to build it (watched for changes). */
    List<Path> files();

    /** Gives back this set's reference to its contexts (OpenSSL ones are reference counted). */
    void release();
}
