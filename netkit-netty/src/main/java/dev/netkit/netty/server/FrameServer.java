package dev.netkit.netty.server;

import dev.netkit.core.event.EventBus;
import dev.netkit.core.internal.ShutdownOnce;
import dev.netkit.core.ip.IpAdmission;
import dev.netkit.core.ip.IpDecision;
import dev.netkit.core.ip.IpPermit;
import dev.netkit.core.ip.IpPolicy;
import dev.netkit.core.ip.IpRefusal;
import dev.netkit.core.time.Ticker;
import dev.netkit.netty.internal.event.Emitter;
import dev.netkit.netty.internal.server.ServerEvents;
import dev.netkit.netty.internal.RateLimitedLog;
import dev.netkit.netty.internal.Transport;
import dev.netkit.netty.internal.server.AsyncDispatcher;
import dev.netkit.netty.internal.server.BlockingDispatcher;
import dev.netkit.netty.internal.server.ConcurrencyLimiter;
import dev.netkit.netty.internal.server.EventLoopDispatcher;
import dev.netkit.netty.internal.server.RequestDispatcher;
import dev.netkit.netty.internal.server.ServerConnection;
import dev.netkit.netty.internal.server.ServerContext;
import dev.netkit.netty.internal.server.ServerCounters;
import dev.netkit.netty.internal.server.ReadShaper;
import dev.netkit.netty.internal.server.TrafficShaping;
import dev.netkit.netty.internal.tls.PlaintextPortGuard;
import dev.netkit.netty.internal.tls.ServerTls;
import dev.netkit.netty.internal.tls.TlsEvents;
import dev.netkit.netty.tls.TlsConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import dev.netkit.netty.transport.IoGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embeddable TCP server for wire format v1 (anet-compatible): each request frame goes to a
 * handler and its response goes back with the request's correlation bytes.
 *
 * <pre>{@code
 * FrameServer server = FrameServer.builder()
 *         .config(FrameServerConfig.builder().port(0).build())
 *         .handler(RequestHandler.echo())
 *         .start();
 * InetSocketAddress address = server.localAddress();
 * ...
 * server.stop(); // graceful: in-flight requests are answered first
 * }</pre>
 *
 * <p>Thread-safe. {@link #stop()} is idempotent and may race with anything, including itself.
 */
public final class FrameServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FrameServer.class);

    private final FrameServerConfig config;
    private final ServerContext context;
    private final Transport transport;
    private final EventLoopGroup group;
    private final boolean ownsGroup; // false when the event loops are a shared IoGroup
    private final ChannelGroup connections = new DefaultChannelGroup("netkit-server", GlobalEventExecutor.INSTANCE);
    private final ShutdownOnce stopped = new ShutdownOnce("netkit-server-stop");
    private final IpAdmission ipAdmission;
    private final ServerTls tls; // null: plaintext
    private final TlsEvents plaintextTlsEvents; // a TLS client on this plaintext port
    private final Channel serverChannel;

    private FrameServer(FrameServerConfig config, RequestDispatcher dispatcher, EventBus events, IoGroup io)
            throws InterruptedException {
        this.config = config;
        this.ipAdmission = new IpAdmission(config.ipPolicy(), Ticker.system());
        Emitter emitter = new Emitter(events);
        ServerCounters counters = new ServerCounters();
        ServerEvents serverEvents = new ServerEvents(emitter);
        this.context = new ServerContext(config, counters,
                new ConcurrencyLimiter(config.maxConcurrentRequests()), dispatcher,
                new RateLimitedLog(log), serverEvents, new TrafficShaping(config.limits(), Ticker.system(), counters, serverEvents));
        this.plaintextTlsEvents = new TlsEvents(emitter, dev.netkit.core.event.Side.SERVER);
        this.ownsGroup = io == null;
        this.transport = io == null ? Transport.resolve(config.transport()) : io.transport();
        this.group = io == null ? transport.newGroup(config.ioThreads(), "netkit-server-io") : io.eventLoops();
        ServerTls serverTls = null;
        try {
            // TLS material first: a broken file fails the start before the port is taken.
            serverTls = config.tls().enabled() ? new ServerTls(config.tls(), "server " + config.host() + ":" + config.port(),
                    context.counters().tls, context.warnings(), emitter, group) : null;
            this.tls = serverTls;
            context.shaping().startFleet(io != null ? io : IoGroup.view(transport, group));
            this.serverChannel = bind();
        } catch (RuntimeException | InterruptedException e) {
            context.shaping().close();
            if (serverTls != null) {
                serverTls.close();
            }
            if (ownsGroup) {
                group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            }
            dispatcher.shutdown();
            throw e;
        }
        context.events().bound(serverChannel.localAddress());
        log.info("netkit server listening on {} (transport {}, {} I/O thread(s), {})",
                localAddress(), transport.name(), io == null ? config.ioThreads() : io.threads(),
                tls == null ? "plaintext" : "TLS " + config.tls().mode().name().toLowerCase(java.util.Locale.ROOT)
                        + ", certificate sha256 " + tls.fingerprint());
    }

    /** A builder for a server; {@link Builder#start()} binds it. */
    public static Builder builder() {
        return new Builder();
    }

    private Channel bind() throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, config.tcpNoDelay())
                .childOption(ChannelOption.SO_KEEPALIVE, config.tcpKeepAlive())
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        admit(ch);
                    }
                });
        var future = bootstrap.bind(config.host(), config.port()).sync();
        return future.channel();
    }

    /*
     * Admission order: the IP policy first (a refused client costs no connection slot and no
     * handler), then maxConnections (which gives the client's per-IP slot back when it refuses).
     */
    private void admit(SocketChannel ch) {
        ServerCounters counters = context.counters();
        if (stopped.requested()) {
            ch.close();
            return;
        }
        SocketAddress peer = ch.remoteAddress(); // taken now: a closed channel may no longer know it
        IpPermit permit = ipPermit(ch, peer);
        if (permit == null) {
            return;
        }
        int active = counters.activeConnections.incrementAndGet();
        if (active > config.maxConnections()) {
            counters.activeConnections.decrementAndGet();
            permit.release();
            counters.connectionsRejected.increment();
            context.events().maxConnectionsReached(peer, config.maxConnections(), active - 1);
            context.warnings().warn("refused connection from " + peer + ": maxConnections "
                    + config.maxConnections() + " reached", null);
            ch.close();
            return;
        }
        ReadShaper shaper = context.shaping().active() ? context.shaping().newShaper(peer) : null;
        if (context.shaping().active() && shaper == null) {
            counters.activeConnections.decrementAndGet();
            permit.release();
            counters.connectionsRejected.increment();
            context.warnings().warn("refused connection from " + peer + ": " + context.shaping().clientTableFull(), null);
            ch.close();
            return;
        }
        if (tls != null && !tls.tryBegin(peer)) {
            counters.activeConnections.decrementAndGet();
            permit.release();
            if (shaper != null) {
                shaper.release();
            }
            ch.close();
            return;
        }
        counters.connectionsAccepted.increment();
        ServerConnection connection = new ServerConnection(context, ch.eventLoop());
        ServerEvents events = context.events();
        ch.closeFuture().addListener(f -> {
            counters.activeConnections.decrementAndGet();
            permit.release();
            if (shaper != null) {
                shaper.release();
            }
            String tlsFailure = ch.attr(ServerTls.FAILURE).get();
            events.connectionClosed(peer, tlsFailure != null ? "tls_" + tlsFailure
                    : shaper != null && shaper.refused() ? "rate_limited" : connection.closeReason());
        });
        connections.add(ch);
        if (tls != null) {
            tls.install(ch, connection, peer); // the connection's handler joins once the handshake succeeded
            if (shaper != null) { // after the TLS handler: it charges decrypted frames
                ch.pipeline().addBefore("netkit-tls-handshake", "netkit-shaper", shaper);
            }
        } else {
            ch.pipeline().addLast("netkit-tls-guard", new PlaintextPortGuard(counters.tls, plaintextTlsEvents, context.warnings(), peer));
            if (shaper != null) {
                ch.pipeline().addLast("netkit-shaper", shaper);
            }
            ch.pipeline().addLast("netkit-server", connection);
        }
        events.connectionOpened(peer);
    }

    /** The client's permit, or null after closing a client the IP policy refuses. */
    private IpPermit ipPermit(SocketChannel ch, SocketAddress peer) {
        if (!(peer instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return IpAdmission.unchecked(); // not an IP peer (cannot happen on TCP): nothing to judge
        }
        IpDecision decision = ipAdmission.admit(inet.getAddress());
        if (decision instanceof IpPermit permit) {
            return permit;
        }
        IpRefusal refusal = (IpRefusal) decision;
        context.events().connectionRefused(peer, refusal);
        context.warnings().warn("refused connection from " + peer + ": " + refusal.label() + " (ip policy)", null);
        ch.close();
        return null;
    }

    /** The address the server is bound to (with the real port when configured with port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** The transport in use: {@code "epoll"}, {@code "io_uring"} or {@code "nio"}. */
    public String transportName() {
        return transport.name();
    }

    /** The configuration the server was started with (see {@link #ipPolicy()} for the policy in force). */
    public FrameServerConfig config() {
        return config;
    }

    /** The fleet limit's counters ({@link ServerLimits#fleet()}), or null without one. */
    public dev.netkit.netty.fleet.FleetStats fleetStats() {
        return context.shaping().fleetStats();
    }

    /** A snapshot of the server's counters. */
    public ServerStats stats() {
        return context.counters().snapshot(ipAdmission.refusals());
    }

    /** The client IP policy in force: {@link FrameServerConfig#ipPolicy()} until replaced. */
    public IpPolicy ipPolicy() {
        return ipAdmission.policy();
    }

    /**
     * Replaces the client IP policy for connections accepted from now on (a configuration reload):
     * open connections stay, and keep counting against their address's limit. Thread-safe.
     */
    public void ipPolicy(IpPolicy next) {
        ipAdmission.policy(next);
    }

    /**
     * The SHA-256 fingerprint (64 lowercase hex digits, over the DER encoding) of the certificate
     * the server presents by default: the one it made in {@link TlsConfig.Mode#SELF_SIGNED} mode
     * (clients pin it: {@link TlsConfig#pinned(String)}), or the configured chain's leaf. Empty on a
     * plaintext server.
     */
    public Optional<String> tlsFingerprint() {
        return tls == null ? Optional.empty() : Optional.of(tls.fingerprint());
    }

    /**
     * Reads the TLS files again (certificate chains, keys, CA, SNI certificates) and uses them for
     * new handshakes; open connections are not touched. A self-signed server keeps its certificate.
     * Thread-safe; reloads run one at a time. Counted in {@link ServerStats#tlsReloads()}.
     *
     * @throws dev.netkit.netty.tls.TlsSetupException naming the file when the new set is broken:
     *         the set in use stays (counted in {@link ServerStats#tlsReloadFailures()}, logged)
     * @throws IllegalStateException on a plaintext server
     */
    public void reloadTls() {
        if (tls == null) {
            throw new IllegalStateException("reloadTls: the server on " + localAddress() + " is plaintext (tls mode NONE)");
        }
        tls.reload();
    }

    /**
     * Stops gracefully: stops accepting, lets in-flight requests finish and flushes their responses
     * for up to {@link FrameServerConfig#shutdownTimeout()}, then closes every connection and
     * releases the threads. Idempotent; every call returns the same future.
     */
    public CompletableFuture<Void> stopAsync() {
        return stopped.run(this::shutdown);
    }

    /** Stops gracefully and waits until the server is fully stopped. */
    public void stop() {
        stopAsync().join();
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    private void shutdown() {
        serverChannel.close().awaitUninterruptibly();
        List<Channel> open = new ArrayList<>(connections);
        for (Channel ch : open) {
            ServerConnection connection = ch.pipeline().get(ServerConnection.class);
            if (connection != null) {
                connection.beginClosing();
            } else {
                ch.close();
            }
        }
        long timeoutMs = config.shutdownTimeout().toMillis();
        if (!connections.newCloseFuture().awaitUninterruptibly(timeoutMs)) {
            log.warn("shutdown timeout {} reached with {} connection(s) and {} request(s) in flight; closing them",
                    config.shutdownTimeout(), connections.size(), context.counters().inFlight.sum());
            connections.close().awaitUninterruptibly();
        }
        context.shaping().close(); // the fleet limit's Redis connection, on these loops
        if (ownsGroup) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
        if (tls != null) {
            tls.close();
        }
        context.dispatcher().shutdown();
        log.info("netkit server on {} stopped: {}", serverChannel.localAddress(), stats());
    }

    /** Collects the configuration and the handler, then binds. */
    public static final class Builder {
        private FrameServerConfig config = FrameServerConfig.defaults();
        private RequestDispatcher dispatcher;
        private EventBus events;
        private IoGroup io;

        private Builder() {}

        /**
         * Runs the server on shared event loops instead of its own ({@link FrameServerConfig#ioThreads()}
         * and {@link FrameServerConfig#transport()} are then ignored); the server does not close them.
         */
        public Builder io(IoGroup value) {
            io = Objects.requireNonNull(value, "io");
            return this;
        }

        /**
         * Where the server's typed events go (connections accepted and closed, limits reached);
         * default none. Limits reached are also JFR events ({@code dev.netkit.LimitReached})
         * either way. The bus is not closed with the server.
         */
        public Builder events(EventBus value) {
            events = value;
            return this;
        }

        /** The configuration; defaults to {@link FrameServerConfig#defaults()}. */
        public Builder config(FrameServerConfig value) {
            config = Objects.requireNonNull(value, "config");
            return this;
        }

        /** A non-blocking handler, run on the event loop (the fastest path: no thread hand-off). */
        public Builder handler(RequestHandler handler) {
            dispatcher = new EventLoopDispatcher(Objects.requireNonNull(handler, "handler"));
            return this;
        }

        /** An asynchronous handler; responses may complete in any order, on any thread. */
        public Builder asyncHandler(AsyncRequestHandler handler) {
            dispatcher = new AsyncDispatcher(Objects.requireNonNull(handler, "handler"));
            return this;
        }

        /** A handler that may block; each request runs on its own virtual thread. */
        public Builder blockingHandler(RequestHandler handler) {
            dispatcher = new BlockingDispatcher(Objects.requireNonNull(handler, "handler"));
            return this;
        }

        /**
         * Binds and starts the server.
         *
         * @throws IllegalStateException if no handler was set
         * @throws io.netty.channel.ChannelException or another exception from the bind (for example
         *         the port is in use)
         */
        public FrameServer start() {
            if (dispatcher == null) {
                throw new IllegalStateException("handler: none set (call handler, asyncHandler or blockingHandler)");
            }
            try {
                return new FrameServer(config, dispatcher, events, io);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while binding " + config.host() + ":" + config.port(), e);
            }
        }
    }
}
