package dev.netkit.gateway;

import dev.netkit.gateway.config.AnetListenerConfig;
import dev.netkit.gateway.config.GatewayConfig;
import dev.netkit.gateway.config.ListenerConfig;
import dev.netkit.gateway.internal.GatewayListener;
import dev.netkit.gateway.internal.cluster.ClusterRuntime;
import dev.netkit.netty.client.BrokerHooks;
import dev.netkit.netty.transport.IoGroup;
import dev.netkit.netty.transport.TransportKind;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design note. A running gateway is: one IoGroup (the event loops every listener and every
 * upstream connection runs on), one ClusterRuntime per cluster (a Broker for request-level traffic,
 * L4 balancers per tcp listener), and one listener object per listener (AnetProxyListener or
 * TcpProxyListener). Requests never take a lock here: each listener reads its routes and clusters
 * through one volatile snapshot.
 *
 * Reload (this class's lock; one at a time) in three phases, so an invalid or unbindable file
 * leaves the running gateway as it was:
 *   1. prepare: build new cluster runtimes for new or changed clusters (nothing is bound); bind
 *      listeners that are new or must re-bind on an address no running listener holds. Any
 *      failure closes what this reload created and throws; nothing else changed.
 *   2. commit: endpoint-only cluster changes are applied in place; listeners that keep their
 *      address get their new routes / route / settings with one volatile write each; listeners
 *      that re-bind on their own address are stopped (in-flight answered) and bound again.
 *   3. retire: removed listeners stop (drain); removed and replaced clusters close once their
 *      requests in flight finished (the broker's close timeout bounds it).
 */
/**
 * A running gateway: the listeners, clusters and admin of a {@link GatewayConfig}, reloadable
 * without dropping connections or requests in flight.
 *
 * <pre>{@code
 * Gateway gateway = Gateway.start(GatewayConfig.load(Path.of("gateway.yaml")));
 * gateway.reload(GatewayConfig.load(Path.of("gateway.yaml")));   // after editing the file
 * gateway.close();                                                 // drains, then stops
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final IoGroup io;
    private final BrokerHooks hooks;
    private final Object lock = new Object();
    private volatile GatewayConfig config;
    private final Map<String, ClusterRuntime> clusters = new LinkedHashMap<>(); // guarded by lock
    private final Map<String, GatewayListener> listeners = new LinkedHashMap<>(); // guarded by lock
    private volatile boolean closed;

    private Gateway(IoGroup io, BrokerHooks hooks) {
        this.io = io;
        this.hooks = hooks;
    }

    /** Starts a gateway on the event loops of the file's {@code io:} section. */
    public static Gateway start(GatewayConfig config) {
        return start(config, BrokerHooks.none());
    }

    /**
     * Starts a gateway on the event loops of the file's {@code io:} section: binds every listener,
     * or none (on failure everything started is closed).
     *
     * @param hooks listeners and observers given to every cluster's broker (metrics, events)
     * @throws GatewayException naming the listener that could not bind
     */
    public static Gateway start(GatewayConfig config, BrokerHooks hooks) {
        return start(config, config.io().threads(), config.io().transport(), hooks);
    }

    /**
     * Starts a gateway: binds every listener, or none (on failure everything started is closed).
     *
     * @param ioThreads event loops shared by every listener and upstream connection
     * @param hooks     listeners and observers given to every cluster's broker (metrics, events)
     * @throws GatewayException naming the listener that could not bind
     */
    public static Gateway start(GatewayConfig config, int ioThreads, BrokerHooks hooks) {
        return start(config, ioThreads, config.io().transport(), hooks);
    }

    private static Gateway start(GatewayConfig config, int ioThreads, TransportKind transport, BrokerHooks hooks) {
        IoGroup io;
        try {
            io = IoGroup.create(transport, ioThreads, "netkit-gateway-io");
        } catch (IllegalStateException e) { // e.g. io_uring not available on this kernel
            throw new GatewayException("io.transport: " + e.getMessage(), e);
        }
        Gateway gateway = new Gateway(io, hooks);
        try {
            gateway.reload(config);
        } catch (RuntimeException e) {
            gateway.close();
            throw e;
        }
        return gateway;
    }

    /** The I/O transport every listener and upstream connection uses: {@code epoll}, {@code io_uring} or {@code nio}. */
    public String transport() {
        return io.transportName();
    }

    /** The configuration in force. */
    public GatewayConfig config() {
        return config;
    }

    /**
     * Applies {@code next}: see the class comment. When it fails, the running configuration stays
     * and the exception says why.
     *
     * @throws GatewayException if a listener could not bind (the gateway runs on unchanged)
     */
    public void reload(GatewayConfig next) {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the gateway is closed");
            }
            if (config != null && !config.io().equals(next.io())) {
                throw new GatewayException("io: the event loops are fixed for the life of the process (running: threads "
                        + config.io().threads() + ", transport " + config.io().transportName() + "; file: threads "
                        + next.io().threads() + ", transport " + next.io().transportName() + "); restart the gateway to change them");
            }
            Reload reload = new Reload(this, next);
            reload.prepare();
            reload.commit();
            config = next;
            reload.retire();
        }
    }

    // ---- used by Reload, under the lock --------------------------------------------------------

    IoGroup io() {
        return io;
    }

    BrokerHooks hooks() {
        return hooks;
    }

    Map<String, ClusterRuntime> clustersLocked() {
        return clusters;
    }

    Map<String, GatewayListener> listenersLocked() {
        return listeners;
    }

    // ---- reading --------------------------------------------------------------------------------

    /** The running listeners' statistics, in file order. */
    public List<ListenerStats> listenerStats() {
        return listeners().stream().map(GatewayListener::stats).toList();
    }

    /** Whether a drain began ({@link #drainAndClose}): listeners stop accepting, or have stopped. */
    public boolean draining() {
        return closed;
    }

    /** The running cluster runtimes, in file order. */
    public List<ClusterRuntime> clusters() {
        synchronized (lock) {
            return List.copyOf(clusters.values());
        }
    }

    /** The running listeners, in file order (internal types: for the admin and tests). */
    public List<GatewayListener> listeners() {
        synchronized (lock) {
            return List.copyOf(listeners.values());
        }
    }

    /** The address listener {@code name} is bound to (with the real port when configured with 0). */
    public InetSocketAddress address(String name) {
        synchronized (lock) {
            GatewayListener l = listeners.get(name);
            if (l == null) {
                throw new IllegalArgumentException("no listener named " + name + " (listeners: " + listeners.keySet() + ")");
            }
            return l.localAddress();
        }
    }

    /**
     * Stops accepting on every listener, lets requests and connections in flight finish (each
     * listener's shutdown timeout, {@code tcpDrain} for L4 connections), closes the clusters, then
     * the event loops. Idempotent.
     */
    public void drainAndClose(Duration tcpDrain) {
        List<CompletableFuture<Void>> stopping = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            for (GatewayListener l : listeners.values()) {
                stopping.add(l.closeAsync(tcpDrain));
            }
            listeners.clear();
        }
        CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new)).join();
        List<CompletableFuture<Void>> retiring = new ArrayList<>();
        synchronized (lock) {
            for (ClusterRuntime c : clusters.values()) {
                retiring.add(c.retire());
            }
            clusters.clear();
        }
        CompletableFuture.allOf(retiring.toArray(CompletableFuture[]::new)).join();
        io.close();
        log.info("gateway stopped");
    }

    /** {@link #drainAndClose} with 10 s for L4 connections. */
    @Override
    public void close() {
        drainAndClose(Duration.ofSeconds(10));
    }

    static String describe(ListenerConfig l) {
        return l.name() + " (" + (l instanceof AnetListenerConfig ? "anet" : "tcp") + ") on " + l.bind();
    }
}
