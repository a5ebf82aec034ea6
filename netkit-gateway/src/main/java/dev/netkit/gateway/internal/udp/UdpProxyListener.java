package dev.netkit.gateway.internal.udp;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.event.ConnectionRefused;
import dev.netkit.core.ip.IpAdmission;
import dev.netkit.core.ip.IpDecision;
import dev.netkit.core.ip.IpPermit;
import dev.netkit.core.ip.IpRefusal;
import dev.netkit.core.jfr.NetkitJfr;
import dev.netkit.core.time.Ticker;
import dev.netkit.gateway.UdpListenerStats;
import dev.netkit.gateway.config.UdpListenerConfig;
import dev.netkit.gateway.config.UdpSocketBuffers;
import dev.netkit.gateway.internal.GatewayListener;
import dev.netkit.gateway.internal.tcp.TcpRoute;
import dev.netkit.netty.internal.udp.UdpSockets;
import dev.netkit.netty.transport.IoGroup;
import dev.netkit.netty.udp.UdpServerConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP listener of the gateway: each client address gets a session (one connected upstream
 * socket on the event loop that received it, to an endpoint its route picks), datagrams are
 * relayed both ways unchanged, and replies leave from the listening socket. On epoll it binds one
 * {@code SO_REUSEPORT} socket per event loop (the kernel keeps a client on one of them, so its
 * session lives on one loop); elsewhere one socket. See {@link UdpSessions} for the per-datagram
 * path. The route, the settings and the IP policy can be swapped while it runs; open sessions
 * keep their endpoint (unless it leaves the cluster or service).
 *
 * <p>Thread-safe.
 */
public final class UdpProxyListener implements GatewayListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UdpProxyListener.class);
    private static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String name;
    private final IoGroup io;
    private final UdpCounters counters = new UdpCounters();
    private final IpAdmission ipAdmission;
    private final List<UdpSessions> tables = new CopyOnWriteArrayList<>();
    private volatile Bootstrap upstreamBootstrap;
    private volatile UdpListenerConfig config;
    private volatile TcpRoute route;
    private volatile long lastWarnNanos = System.nanoTime() - WARN_INTERVAL_NANOS;
    private volatile List<Channel> sockets = List.of();

    public UdpProxyListener(UdpListenerConfig config, TcpRoute route, IoGroup io) {
        this.name = config.name();
        this.io = io;
        this.route = route;
        this.config = config;
        this.ipAdmission = new IpAdmission(config.ipPolicy(), Ticker.system());
        this.upstreamBootstrap = upstreamBootstrap(config);
    }

    private UdpServerConfig socketConfig(UdpListenerConfig c) {
        UdpSocketBuffers b = c.socketBuffers();
        return UdpServerConfig.builder().host(c.bind().host()).port(c.bind().port()).maxDatagramSize(c.maxDatagramSize())
                .receiveBufferBytes(b.receive()).sendBufferBytes(b.send()).build();
    }

    private Bootstrap upstreamBootstrap(UdpListenerConfig c) {
        return UpstreamSockets.bootstrap(io.transport(), c.maxDatagramSize(),
                UdpSockets.datagramsPerWakeup(socketConfig(c), io.transport()),
                c.socketBuffers().upstreamReceive(), c.socketBuffers().upstreamSend());
    }

    /** Binds; the first datagrams are served when this returns. */
    public UdpProxyListener start() throws InterruptedException {
        UdpListenerConfig c = config;
        UdpServerConfig socketConfig = socketConfig(c);
        int maxPending = 2 * UdpSockets.datagramsPerWakeup(socketConfig, io.transport());
        sockets = List.copyOf(UdpSockets.bind(socketConfig, io.transport(), io.eventLoops(), loop -> {
            UdpSessions table = new UdpSessions(this, counters, loop, maxPending);
            tables.add(table);
            return new ClientSocketHandler(table);
        }));
        return this;
    }

    /** The client's IP permit for a new session, or null when the IP policy refuses it (counted). */
    IpPermit admit(InetSocketAddress client) {
        if (client.getAddress() == null) {
            return IpAdmission.unchecked();
        }
        IpDecision decision = ipAdmission.admit(client.getAddress());
        if (decision instanceof IpRefusal refusal) {
            NetkitJfr.commit(new ConnectionRefused(System.nanoTime(), new Endpoint(client.getHostString(), client.getPort()), refusal.label()));
            warn("dropped a datagram from " + client + ": " + refusal.label() + " (ip_policy)");
            return null;
        }
        return (IpPermit) decision;
    }

    /** Takes new settings (idle timeout, max sessions, IP policy, upstream socket buffers) from now on; open sessions stay. */
    public void update(UdpListenerConfig next) {
        upstreamBootstrap = upstreamBootstrap(next);
        config = next;
        ipAdmission.policy(next.ipPolicy());
    }

    /** Sends new sessions from now on by {@code next}. */
    public void route(TcpRoute next) {
        route = next;
    }

    public TcpRoute route() {
        return route;
    }

    /** Whether {@code next} can be applied without re-binding: same address, receive sizing and listening socket buffers. */
    public boolean canUpdateTo(UdpListenerConfig next) {
        UdpListenerConfig c = config;
        return c.bind().equals(next.bind()) && c.maxDatagramSize() == next.maxDatagramSize()
                && c.socketBuffers().receive() == next.socketBuffers().receive()
                && c.socketBuffers().send() == next.socketBuffers().send();
    }

    Bootstrap upstreamBootstrap() {
        return upstreamBootstrap;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public UdpListenerConfig config() {
        return config;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) sockets.get(0).localAddress();
    }

    @Override
    public UdpListenerStats stats() {
        return counters.snapshot(name, ipAdmission.refusals());
    }

    /** At most one warning a second: a flood of refused or dropped datagrams must not flood the log. */
    void warn(String message) {
        long now = System.nanoTime();
        if (now - lastWarnNanos >= WARN_INTERVAL_NANOS) {
            lastWarnNanos = now;
            log.warn("udp listener {}: {}", name, message);
        } else {
            log.debug("udp listener {}: {}", name, message);
        }
    }

    /**
     * Closes the listening sockets and ends every session (a datagram proxy has nothing in flight
     * worth waiting for: replies could no longer leave a closed listening socket), so
     * {@code drain} is not used. Completes when every socket and session is closed.
     */
    @Override
    public CompletableFuture<Void> closeAsync(Duration drain) {
        List<CompletableFuture<Void>> steps = new ArrayList<>();
        for (Channel socket : sockets) {
            CompletableFuture<Void> closed = new CompletableFuture<>();
            socket.close().addListener(f -> closed.complete(null));
            steps.add(closed);
        }
        for (UdpSessions table : tables) {
            CompletableFuture<Void> ended = new CompletableFuture<>();
            try {
                table.loop().execute(() -> {
                    table.closeAll();
                    ended.complete(null);
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                ended.complete(null); // the loop is gone, and its sockets with it
            }
            steps.add(ended);
        }
        return CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new));
    }

    /** Stops at once. */
    @Override
    public void close() {
        closeAsync(Duration.ZERO).join();
    }
}
