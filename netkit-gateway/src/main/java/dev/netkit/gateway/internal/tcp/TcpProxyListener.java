package dev.netkit.gateway.internal.tcp;

import dev.netkit.core.event.ConnectionRefused;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.ip.IpAdmission;
import dev.netkit.core.ip.IpDecision;
import dev.netkit.core.ip.IpPermit;
import dev.netkit.core.ip.IpRefusal;
import dev.netkit.core.jfr.NetkitJfr;
import dev.netkit.core.time.Ticker;
import dev.netkit.gateway.TcpListenerStats;
import dev.netkit.gateway.config.ProxyProtocol;
import dev.netkit.gateway.internal.GatewayListener;
import dev.netkit.gateway.config.TcpListenerConfig;
import dev.netkit.netty.internal.RateLimitedLog;
import dev.netkit.netty.internal.event.Emitter;
import dev.netkit.netty.internal.tls.ServerTls;
import dev.netkit.netty.transport.IoGroup;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An L4 (TCP) listener of the gateway: each accepted connection is balanced over a cluster and
 * relayed byte for byte to the endpoint chosen ({@link ProxiedConnection}). The route (cluster,
 * balancer, policy), the per-connection settings and the client IP policy can be swapped while it
 * runs; connections already open keep what they started with.
 *
 * <p>Thread-safe.
 */
public final class TcpProxyListener implements GatewayListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TcpProxyListener.class);
    private static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String name;
    private final IoGroup io;
    private final TcpCounters counters = new TcpCounters();
    private final ChannelGroup connections = new DefaultChannelGroup("netkit-tcp-proxy", GlobalEventExecutor.INSTANCE);
    private final IpAdmission ipAdmission;
    private volatile TcpListenerConfig config;
    private volatile TcpRoute route;
    private volatile Bootstrap upstreamBootstrap;
    private volatile long lastWarnNanos = System.nanoTime() - WARN_INTERVAL_NANOS;
    private Channel serverChannel;
    private final ServerTls tls; // null: plaintext toward clients; fixed for the listener's life (a change re-binds)

    public TcpProxyListener(TcpListenerConfig config, TcpRoute route, IoGroup io) {
        this.name = config.name();
        this.io = io;
        this.tls = config.tls().enabled() ? new ServerTls(config.tls(), "tcp listener " + config.name(), counters.tls,
                new RateLimitedLog(log), new Emitter(null), io.eventLoops()) : null;
        this.route = route;
        this.ipAdmission = new IpAdmission(config.ipPolicy(), Ticker.system());
        update(config);
    }

    /** Binds; the first connections are accepted when this returns. */
    public TcpProxyListener start() throws InterruptedException {
        TcpListenerConfig c = config;
        serverChannel = new ServerBootstrap()
                .group(io.eventLoops())
                .channel(io.transport().serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.AUTO_READ, false) // nothing is read before the upstream is connected
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        admit(ch);
                    }
                })
                .bind(c.bind().host(), c.bind().port()).sync().channel();
        return this;
    }

    /** The IP policy first (a refused client is not counted as accepted), then max_connections. */
    private void admit(SocketChannel ch) {
        TcpListenerConfig c = config;
        IpPermit permit = ipPermit(ch);
        if (permit == null) {
            return;
        }
        counters.accepted.increment();
        if (counters.active.incrementAndGet() > c.maxConnections()) {
            counters.active.decrementAndGet();
            permit.release();
            counters.refused.increment();
            warn("refused connection from " + ch.remoteAddress() + ": max_connections " + c.maxConnections() + " reached");
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> {
            counters.active.decrementAndGet();
            permit.release();
        });
        connections.add(ch);
        ProxiedConnection connection = new ProxiedConnection(this, route, ch);
        if (tls == null) {
            ch.pipeline().addLast(new Relay(connection, true, false));
            return;
        }
        if (!tls.tryBegin(ch.remoteAddress())) { // maxHandshakes in progress: counted and logged by ServerTls
            ch.close();
            return;
        }
        // The handshake reads by itself; the relay takes the handshake handler's place once it
        // succeeded, and only then picks and connects an upstream (reading paused again meanwhile).
        ch.config().setAutoRead(true);
        tls.install(ch, new Relay(connection, true, true), ch.remoteAddress());
    }

    /** The client's permit, or null after closing a client the IP policy refuses (counted, JFR event). */
    private IpPermit ipPermit(SocketChannel ch) {
        InetSocketAddress peer = ch.remoteAddress();
        if (peer == null || peer.getAddress() == null) {
            return IpAdmission.unchecked();
        }
        IpDecision decision = ipAdmission.admit(peer.getAddress());
        if (decision instanceof IpRefusal refusal) {
            NetkitJfr.commit(new ConnectionRefused(System.nanoTime(), new Endpoint(peer.getHostString(), peer.getPort()), refusal.label()));
            warn("refused connection from " + peer + ": " + refusal.label() + " (ip_policy)");
            ch.close();
            return null;
        }
        return (IpPermit) decision;
    }

    /** Takes new settings (timeouts, limits, PROXY header, IP policy) for connections accepted from now on. */
    public void update(TcpListenerConfig next) {
        config = next;
        ipAdmission.policy(next.ipPolicy());
        upstreamBootstrap = new Bootstrap()
                .channel(io.transport().socketChannelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, next.connectTimeout().toMillis()));
    }

    /** Sends connections accepted from now on by {@code next}. */
    public void route(TcpRoute next) {
        route = next;
    }

    public TcpRoute route() {
        return route;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TcpListenerConfig config() {
        return config;
    }

    /** The bound address (with the real port when configured with 0). */
    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    @Override
    public TcpListenerStats stats() {
        return counters.snapshot(name, ipAdmission.refusals(), tls != null);
    }

    TcpCounters counters() {
        return counters;
    }

    Bootstrap upstreamBootstrap() {
        return upstreamBootstrap;
    }

    boolean sendsProxyHeader() {
        return config.proxyProtocol() == ProxyProtocol.V2;
    }

    /** At most one warning a second: a storm of failing connections must not flood the log. */
    void warn(String message) {
        long now = System.nanoTime();
        long last = lastWarnNanos;
        if (now - last >= WARN_INTERVAL_NANOS) {
            lastWarnNanos = now;
            log.warn("tcp listener {}: {}", name, message);
        } else {
            log.debug("tcp listener {}: {}", name, message);
        }
    }

    /**
     * Stops accepting, lets open connections finish for up to {@code drain}, then closes the rest.
     * Completes when every connection is closed.
     */
    @Override
    public CompletableFuture<Void> closeAsync(Duration drain) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (tls != null) {
            done.whenComplete((v, e) -> tls.close()); // open connections' engines held their own references
        }
        Channel server = serverChannel;
        (server == null ? GlobalEventExecutor.INSTANCE.newSucceededFuture(null) : server.close()).addListener(closed -> {
            var all = connections.newCloseFuture();
            if (all.isDone()) {
                done.complete(null);
                return;
            }
            var timer = GlobalEventExecutor.INSTANCE.schedule(() -> connections.close(), drain.toNanos(), TimeUnit.NANOSECONDS);
            all.addListener(f -> {
                timer.cancel(false);
                done.complete(null);
            });
        });
        return done;
    }

    /** Stops at once: closes the listening socket and every connection. */
    @Override
    public void close() {
        closeAsync(Duration.ZERO).join();
    }

    @Override
    public void reloadTls() {
        if (tls != null) {
            tls.reload();
        }
    }
}
