package dev.netkit.netty.transport;

import dev.netkit.netty.internal.Transport;
import io.netty.channel.EventLoopGroup;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Event loops shared by several servers and brokers of one process, so that a proxy's client
 * connections and its upstream connections run on the same threads: a request that arrives on a
 * loop and goes upstream from it is written without a thread hand-off, and its answer comes back
 * on the same loop (Envoy's worker model). Servers and brokers given an {@code IoGroup} do not
 * shut it down; its owner closes it after them.
 *
 * <p>Thread-safe.
 */
public final class IoGroup implements AutoCloseable {
    private final Transport transport;
    private final EventLoopGroup group;
    private final int threads;

    private IoGroup(Transport transport, int threads, String name) {
        this(transport, transport.newGroup(threads, name), threads);
    }

    private IoGroup(Transport transport, EventLoopGroup group, int threads) {
        this.transport = transport;
        this.group = group;
        this.threads = threads;
    }

    /**
     * For netkit's brokers: a view of event loops their owner started and will stop (do not close
     * the view).
     */
    public static IoGroup view(Transport transport, EventLoopGroup group) {
        int n = 0;
        for (var ignored : group) {
            n++;
        }
        return new IoGroup(Objects.requireNonNull(transport, "transport"), Objects.requireNonNull(group, "group"), n);
    }

    /**
     * Starts {@code threads} event loops of the given transport, named {@code name-N}.
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     * @throws IllegalStateException    if the transport is not available here
     */
    public static IoGroup create(TransportKind kind, int threads, String name) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        if (threads < 1) {
            throw new IllegalArgumentException("threads : " + threads + " (expected: >= 1)");
        }
        return new IoGroup(Transport.resolve(kind), threads, name);
    }

    /** The transport in use: {@code "epoll"}, {@code "io_uring"} or {@code "nio"}. */
    public String transportName() {
        return transport.name();
    }

    /** The number of event loops. */
    public int threads() {
        return threads;
    }

    /** For netkit's servers and brokers. */
    public Transport transport() {
        return transport;
    }

    /** For netkit's servers and brokers. */
    public EventLoopGroup eventLoops() {
        return group;
    }

    /** Stops the event loops (after whatever uses them has closed); waits up to 2 s. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
