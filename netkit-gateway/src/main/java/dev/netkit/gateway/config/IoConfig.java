package dev.netkit.gateway.config;

import dev.netkit.netty.transport.IoThreads;
import dev.netkit.netty.transport.TransportKind;
import java.util.Objects;

/**
 * The gateway's event loops ({@code io:}), shared by every listener and every upstream connection.
 * Fixed for the life of the process: a reload that changes them is refused (as HAProxy's
 * {@code nbthread} needs a restart), so a reload never moves a connection between threads.
 *
 * @param threads   {@code threads}: event loops; default half the cores, at least 1
 * @param transport {@code transport}: {@code auto} (epoll where available, else nio), {@code epoll},
 *                  {@code io_uring} (Linux 5.14+; the gateway fails to start where it is not
 *                  available) or {@code nio}
 */
public record IoConfig(int threads, TransportKind transport) {
    /** Validates. */
    public IoConfig {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        Objects.requireNonNull(transport, "transport");
    }

    /** {@link IoThreads#defaultCount()} threads, {@link TransportKind#AUTO}. */
    public static IoConfig defaults() {
        return new IoConfig(IoThreads.defaultCount(), TransportKind.AUTO);
    }

    /** The transport's name as the file spells it: {@code auto}, {@code epoll}, {@code io_uring}, {@code nio}. */
    public String transportName() {
        return transportName(transport);
    }

    static String transportName(TransportKind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
