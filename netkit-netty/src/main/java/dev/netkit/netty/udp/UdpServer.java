package dev.netkit.netty.udp;

import dev.netkit.core.event.EventBus;
import dev.netkit.core.internal.ShutdownOnce;
import dev.netkit.core.time.Ticker;
import dev.netkit.netty.internal.RateLimitedLog;
import dev.netkit.netty.internal.Transport;
import dev.netkit.netty.internal.event.Emitter;
import dev.netkit.netty.internal.udp.BlockingStage;
import dev.netkit.netty.internal.udp.LoopCounters;
import dev.netkit.netty.internal.udp.PacketPath;
import dev.netkit.netty.internal.udp.UdpChannelHandler;
import dev.netkit.netty.internal.udp.UdpCounters;
import dev.netkit.netty.internal.udp.UdpEvents;
import dev.netkit.netty.internal.udp.UdpSockets;
import dev.netkit.netty.transport.IoGroup;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embeddable UDP packet processor: every datagram goes to a {@link DatagramHandler}, which may
 * answer the sender.
 *
 * <pre>{@code
 * UdpServer server = UdpServer.builder()
 *         .config(UdpServerConfig.builder().port(0).ratePerSource(10_000).build())
 *         .handler(DatagramHandler.echo())
 *         .start();
 * InetSocketAddress address = server.localAddress();
 * UdpStats stats = server.stats();
 * server.stop();
 * }</pre>
 *
 * <p><b>Sockets and threads.</b> On epoll the server binds one {@code SO_REUSEPORT} socket per
 * I/O thread; the kernel spreads sources over them by a hash of the source address and port, so a
 * source's datagrams all reach one thread (see {@link DatagramHandler} on per-source state). On
 * NIO (and io_uring) it binds one socket. Receives are batched ({@code recvmmsg}, see
 * {@link UdpServerConfig#receiveBatch()}), answers are flushed once per receive batch.
 *
 * <p><b>Bounds.</b> Datagrams over {@link UdpServerConfig#maxDatagramSize()}, over their source's
 * rate, failing in the handler or finding the blocking queue full are dropped and counted by
 * reason ({@link UdpStats#drops()}); an answer that finds its socket's send queue full is dropped
 * too. Nothing queues without bound.
 *
 * <p>Thread-safe. {@link #stop()} is idempotent.
 */
public final class UdpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UdpServer.class);

    private final UdpServerConfig config;
    private final Transport transport;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final BlockingStage blocking; // null: handlers run on the I/O threads
    private final List<LoopCounters> counters = new CopyOnWriteArrayList<>();
    private final List<Channel> channels;
    private final ShutdownOnce stopped = new ShutdownOnce("netkit-udp-stop");

    private UdpServer(Builder b) throws InterruptedException {
        this.config = b.config;
        RateLimitedLog warnings = new RateLimitedLog(log);
        UdpEvents events = new UdpEvents(new Emitter(b.events));
        this.ownsGroup = b.io == null;
        this.transport = b.io == null ? Transport.resolve(config.transport()) : b.io.transport();
        int threads = b.io == null ? (UdpSockets.reusePort(transport) ? config.ioThreads() : 1) : b.io.threads();
        this.group = b.io == null ? transport.newGroup(threads, "netkit-udp-io") : b.io.eventLoops();
        this.blocking = b.blocking == null ? null : new BlockingStage(b.blocking, config.blockingThreads(),
                config.blockingQueueCapacity(), config.maxDatagramSize(), events, warnings);
        Supplier<DatagramHandler> handlers = b.blocking == null ? b.handlers : () -> null;
        try {
            this.channels = UdpSockets.bind(config, transport, group, loop -> handlerFor(loop, handlers, events, warnings, b.ticker));
        } catch (RuntimeException | InterruptedException e) {
            if (blocking != null) {
                blocking.shutdown(0);
            }
            if (ownsGroup) {
                group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            }
            throw e;
        }
        events.bound(channels.get(0).localAddress());
        log.info("netkit UDP server listening on {} (transport {}, {} socket(s), {} datagrams per receive{})",
                localAddress(), transport.name(), channels.size(), config.udpGro() ? 1 : UdpSockets.batchOf(config),
                config.udpGro() ? ", UDP_GRO" : "");
    }

    private ChannelHandler handlerFor(EventLoop loop, Supplier<DatagramHandler> handlers, UdpEvents events,
                                      RateLimitedLog warnings, Ticker ticker) {
        LoopCounters loopCounters = new LoopCounters();
        counters.add(loopCounters);
        DatagramHandler handler = Objects.requireNonNullElse(handlers.get(), DatagramHandler.sink());
        PacketPath path = new PacketPath(handler, loopCounters, io.netty.buffer.ByteBufAllocator.DEFAULT,
                config.maxDatagramSize(), config.ratePerSource(), config.burstPerSource(), config.maxSourcesPerThread(),
                events, warnings);
        return new UdpChannelHandler(path, blocking, ticker, warnings);
    }

    /** A builder for a server; {@link Builder#start()} binds it. */
    public static Builder builder() {
        return new Builder();
    }

    /** The address the server is bound to (with the real port when configured with port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channels.get(0).localAddress();
    }

    /** The transport in use: {@code "epoll"}, {@code "io_uring"} or {@code "nio"}. */
    public String transportName() {
        return transport.name();
    }

    /** The number of sockets bound (one per I/O thread on epoll, else one). */
    public int sockets() {
        return channels.size();
    }

    /** The configuration the server was started with. */
    public UdpServerConfig config() {
        return config;
    }

    /** A snapshot of the server's counters. */
    public UdpStats stats() {
        return UdpCounters.snapshot(counters, blocking);
    }

    /**
     * Stops: closes the sockets (datagrams not yet read are lost, as UDP allows), lets blocking
     * handlers finish what is queued for up to {@link UdpServerConfig#shutdownTimeout()}, then
     * releases the threads. Idempotent; every call returns the same future.
     */
    public CompletableFuture<Void> stopAsync() {
        return stopped.run(this::shutdown);
    }

    /** Stops and waits until the server is fully stopped. */
    public void stop() {
        stopAsync().join();
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    private void shutdown() {
        channels.forEach(c -> c.close().awaitUninterruptibly());
        if (blocking != null) {
            blocking.shutdown(config.shutdownTimeout().toMillis());
        }
        if (ownsGroup) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
        log.info("netkit UDP server on {} stopped: {}", channels.get(0).localAddress(), stats());
    }

    /** Collects the configuration and the handler, then binds. */
    public static final class Builder {
        private UdpServerConfig config = UdpServerConfig.defaults();
        private Supplier<DatagramHandler> handlers;
        private DatagramHandler blocking;
        private EventBus events;
        private IoGroup io;
        private Ticker ticker = Ticker.system();

        private Builder() {}

        /** The configuration; defaults to {@link UdpServerConfig#defaults()}. */
        public Builder config(UdpServerConfig value) {
            config = Objects.requireNonNull(value, "config");
            return this;
        }

        /**
         * One non-blocking handler shared by every I/O thread (it must be thread-safe if it keeps
         * state). Runs on the thread that received the datagram: no hand-off.
         */
        public Builder handler(DatagramHandler handler) {
            Objects.requireNonNull(handler, "handler");
            return handlerPerThread(() -> handler);
        }

        /**
         * A non-blocking handler per I/O thread, made once per socket at start: each instance is
         * only ever called by its thread, so per-source state needs no locks (a source always
         * reaches the same socket; see {@link DatagramHandler}).
         */
        public Builder handlerPerThread(Supplier<? extends DatagramHandler> factory) {
            Objects.requireNonNull(factory, "factory");
            handlers = factory::get;
            blocking = null;
            return this;
        }

        /**
         * A handler that may block: it runs on {@link UdpServerConfig#blockingThreads()} worker
         * threads behind a queue of {@link UdpServerConfig#blockingQueueCapacity()} datagrams (full:
         * dropped and counted, {@code queue_full}). Each datagram is copied for it; it must be
         * thread-safe.
         */
        public Builder blockingHandler(DatagramHandler handler) {
            blocking = Objects.requireNonNull(handler, "handler");
            handlers = null;
            return this;
        }

        /**
         * Where the server's events go (limits reached: a source over its rate, the blocking queue
         * full; each once per episode); default none. They are also JFR events
         * ({@code dev.netkit.LimitReached}). The bus is not closed with the server.
         */
        public Builder events(EventBus value) {
            events = value;
            return this;
        }

        /**
         * Runs the server on shared event loops: on epoll one socket per loop of the group
         * ({@link UdpServerConfig#ioThreads()} and {@link UdpServerConfig#transport()} are then
         * ignored); the server does not close them.
         */
        public Builder io(IoGroup value) {
            io = Objects.requireNonNull(value, "io");
            return this;
        }

        /** The clock of the rate limits (tests). */
        Builder ticker(Ticker value) {
            ticker = Objects.requireNonNull(value, "ticker");
            return this;
        }

        /**
         * Binds and starts the server.
         *
         * @throws IllegalStateException if no handler was set, or the transport is not available
         * @throws io.netty.channel.ChannelException or another exception from the bind (for example
         *         the address is not local)
         */
        public UdpServer start() {
            if (handlers == null && blocking == null) {
                throw new IllegalStateException("handler: none set (call handler, handlerPerThread or blockingHandler)");
            }
            try {
                return new UdpServer(this);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while binding " + config.host() + ":" + config.port(), e);
            }
        }
    }
}
