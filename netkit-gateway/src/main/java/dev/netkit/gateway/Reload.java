package dev.netkit.gateway;

import dev.netkit.gateway.config.AnetListenerConfig;
import dev.netkit.gateway.config.ClusterConfig;
import dev.netkit.gateway.config.GatewayConfig;
import dev.netkit.gateway.config.ListenerConfig;
import dev.netkit.gateway.config.TcpListenerConfig;
import dev.netkit.gateway.config.UdpListenerConfig;
import dev.netkit.gateway.internal.GatewayListener;
import dev.netkit.gateway.internal.anet.AnetProxyListener;
import dev.netkit.gateway.internal.cluster.ClusterRuntime;
import dev.netkit.gateway.internal.tcp.TcpProxyListener;
import dev.netkit.gateway.internal.tcp.TcpRoute;
import dev.netkit.gateway.internal.udp.UdpProxyListener;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.tls.TlsSetupException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One configuration change of a {@link Gateway}: prepare (may fail, then undone), commit, retire. Runs under the gateway's lock. */
final class Reload {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);
    private static final Duration TCP_DRAIN = Duration.ofSeconds(30);
    private static final long REBIND_PATIENCE_NANOS = Duration.ofSeconds(5).toNanos();

    private final Gateway gateway;
    private final GatewayConfig next;
    private final Map<String, ClusterRuntime> nextClusters = new LinkedHashMap<>();
    private final List<ClusterRuntime> createdClusters = new ArrayList<>();
    private final List<ClusterRuntime> retiredClusters = new ArrayList<>();
    private final Map<String, ClusterConfig> endpointChanges = new HashMap<>();
    private final Map<String, GatewayListener> bound = new HashMap<>();
    private final List<ListenerConfig> rebindOnOwnAddress = new ArrayList<>();
    private final List<GatewayListener> retiredListeners = new ArrayList<>();
    private final List<TcpRoute> releasedRoutes = new ArrayList<>();
    /** Holders stopped by {@link #rebind}: retired clusters wait for them too. */
    private final List<CompletableFuture<Void>> rebindStops = new ArrayList<>();

    Reload(Gateway gateway, GatewayConfig next) {
        this.gateway = gateway;
        this.next = next;
    }

    // ---- 1. prepare ---------------------------------------------------------------------------

    void prepare() {
        try {
            prepareClusters();
            prepareListeners();
            reloadTlsInPlace();
        } catch (RuntimeException e) {
            bound.values().forEach(l -> l.closeAsync(Duration.ZERO).join());
            bound.values().forEach(this::releaseRouteOf);
            for (TcpRoute route : releasedRoutes) { // also the routes of tcp listeners that failed to bind
                nextClusters.get(route.cluster()).release(route);
            }
            createdClusters.forEach(ClusterRuntime::retire);
            throw e;
        }
    }

    private void prepareClusters() {
        Map<String, ClusterRuntime> current = gateway.clustersLocked();
        for (ClusterConfig c : next.clusters()) {
            ClusterRuntime existing = current.get(c.name());
            if (existing != null && existing.config().equals(c)) {
                nextClusters.put(c.name(), existing);
            } else if (existing != null && existing.sameExceptEndpoints(c)) {
                nextClusters.put(c.name(), existing);
                endpointChanges.put(c.name(), c);
            } else {
                ClusterRuntime created;
                try {
                    created = new ClusterRuntime(c, gateway.io(), gateway.hooks());
                } catch (TlsSetupException e) {
                    throw new GatewayException("cluster " + c.name() + ": tls: " + e.getMessage(), e);
                }
                createdClusters.add(created);
                nextClusters.put(c.name(), created);
                if (existing != null) {
                    created.keepDrainsOf(existing);
                    retiredClusters.add(existing);
                }
            }
        }
        current.forEach((name, runtime) -> {
            if (!nextClusters.containsKey(name)) {
                retiredClusters.add(runtime);
            }
        });
    }

    /**
     * Certificates rotate under the same file names: every listener and cluster that stays (and
     * has TLS) reads its files again, for new handshakes. A broken set fails the reload here,
     * before anything changed; the listeners and clusters already re-read keep their new (valid)
     * material.
     */
    private void reloadTlsInPlace() {
        for (ListenerConfig l : next.listeners()) {
            GatewayListener running = gateway.listenersLocked().get(l.name());
            if (running == null || bound.containsKey(l.name()) || rebindOnOwnAddress.contains(l) || !l.tls().enabled()) {
                continue;
            }
            try {
                running.reloadTls();
            } catch (TlsSetupException e) {
                throw new GatewayException("listener " + Gateway.describe(l) + ": tls: " + e.getMessage(), e);
            }
        }
        for (ClusterConfig c : next.clusters()) {
            ClusterRuntime runtime = nextClusters.get(c.name());
            if (runtime == null || createdClusters.contains(runtime)) {
                continue;
            }
            try {
                runtime.reloadTls();
            } catch (TlsSetupException e) {
                throw new GatewayException("cluster " + c.name() + ": tls: " + e.getMessage(), e);
            }
        }
    }

    private void prepareListeners() {
        Map<String, GatewayListener> running = gateway.listenersLocked();
        for (ListenerConfig l : next.listeners()) {
            GatewayListener current = running.get(l.name());
            if (current != null && canUpdateInPlace(current, l)) {
                continue;
            }
            if (addressHeldByRunningListener(l)) {
                rebindOnOwnAddress.add(l); // the holder is replaced or removed: it must let go first (commit)
            } else {
                bound.put(l.name(), bind(l));
            }
        }
    }

    private static boolean canUpdateInPlace(GatewayListener running, ListenerConfig next) {
        if (running instanceof AnetProxyListener a && next instanceof AnetListenerConfig n) {
            return a.canUpdateTo(n);
        }
        if (running instanceof UdpProxyListener u && next instanceof UdpListenerConfig n) {
            return u.canUpdateTo(n);
        }
        return running instanceof TcpProxyListener t && next instanceof TcpListenerConfig n && t.config().bind().equals(n.bind())
                && t.config().tls().equals(n.tls()); // the TLS material is the listener's for life
    }

    private boolean addressHeldByRunningListener(ListenerConfig l) {
        if (l.bind().port() == 0) {
            return false;
        }
        for (GatewayListener running : gateway.listenersLocked().values()) {
            if (running.config().bind().port() == l.bind().port()) {
                return true;
            }
        }
        return false;
    }

    private GatewayListener bind(ListenerConfig l) {
        try {
            if (l instanceof AnetListenerConfig a) {
                return AnetProxyListener.start(a, brokers(), gateway.io(), null);
            }
            if (l instanceof UdpListenerConfig u) {
                TcpRoute route = nextClusters.get(u.cluster()).newUdpRoute(u);
                try {
                    return new UdpProxyListener(u, route, gateway.io()).start();
                } catch (Exception e) {
                    releasedRoutes.add(route);
                    throw e;
                }
            }
            TcpListenerConfig t = (TcpListenerConfig) l;
            TcpRoute route = nextClusters.get(t.cluster()).newTcpRoute(t);
            try {
                return new TcpProxyListener(t, route, gateway.io()).start();
            } catch (Exception e) {
                releasedRoutes.add(route); // released when the reload is undone, or retired with the others
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException("listener " + Gateway.describe(l) + ": interrupted while binding", e);
        } catch (TlsSetupException e) {
            throw new GatewayException("listener " + Gateway.describe(l) + ": tls: " + e.getMessage(), e);
        } catch (Exception e) { // Netty rethrows bind failures (IOExceptions) without declaring them
            throw new GatewayException("listener " + Gateway.describe(l) + ": cannot bind: " + e.getMessage(), e);
        }
    }

    private Function<String, Broker> brokers() {
        return name -> nextClusters.get(name).broker();
    }

    // ---- 2. commit ----------------------------------------------------------------------------

    void commit() {
        endpointChanges.forEach((name, c) -> nextClusters.put(name, nextClusters.get(name).updateEndpoints(c)));
        Map<String, GatewayListener> running = gateway.listenersLocked();
        Map<String, GatewayListener> result = new LinkedHashMap<>();
        for (ListenerConfig l : next.listeners()) {
            GatewayListener current = running.remove(l.name());
            if (bound.containsKey(l.name())) {
                if (current != null) {
                    retiredListeners.add(current);
                }
                result.put(l.name(), bound.get(l.name()));
            } else if (!rebindOnOwnAddress.contains(l)) {
                updateInPlace(current, l);
                result.put(l.name(), current);
            } else {
                result.put(l.name(), current); // placeholder, replaced below once the address is free
            }
        }
        retiredListeners.addAll(running.values()); // listeners the file no longer has
        running.clear();
        for (ListenerConfig l : rebindOnOwnAddress) {
            GatewayListener holder = result.get(l.name());
            rebind(l, holder, result);
        }
        running.putAll(result);
        gateway.clustersLocked().clear();
        gateway.clustersLocked().putAll(nextClusters);
    }

    private void updateInPlace(GatewayListener current, ListenerConfig l) {
        if (current instanceof AnetProxyListener a) {
            a.update((AnetListenerConfig) l, brokers());
            return;
        }
        if (current instanceof UdpProxyListener u) {
            UdpListenerConfig n = (UdpListenerConfig) l;
            UdpListenerConfig old = u.config();
            u.update(n);
            ClusterRuntime cluster = nextClusters.get(n.cluster());
            boolean sameRoute = old.cluster().equals(n.cluster()) && old.lb() == n.lb() && old.health().equals(n.health())
                    && !createdClusters.contains(cluster);
            if (!sameRoute) {
                releasedRoutes.add(u.route());
                u.route(cluster.newUdpRoute(n));
            }
            return;
        }
        TcpProxyListener t = (TcpProxyListener) current;
        TcpListenerConfig n = (TcpListenerConfig) l;
        TcpListenerConfig old = t.config();
        t.update(n);
        ClusterRuntime cluster = nextClusters.get(n.cluster());
        boolean sameRoute = old.cluster().equals(n.cluster()) && old.lb() == n.lb() && old.stickyTtl().equals(n.stickyTtl())
                && !createdClusters.contains(cluster);
        if (!sameRoute) {
            releasedRoutes.add(t.route());
            t.route(cluster.newTcpRoute(n));
        }
    }

    /**
     * Replaces a listener whose address a running listener holds (itself, re-bound for new limits
     * or protocol, or another one leaving): stop the holders first, then bind. The old holder
     * answers what it has in flight while the new one takes new connections.
     */
    private void rebind(ListenerConfig l, GatewayListener previous, Map<String, GatewayListener> result) {
        List<GatewayListener> holders = new ArrayList<>();
        if (previous != null) {
            holders.add(previous);
        }
        for (GatewayListener r : retiredListeners) {
            if (r.config().bind().port() == l.bind().port()) {
                holders.add(r);
            }
        }
        for (GatewayListener h : holders) {
            retiredListeners.remove(h);
            // Stops accepting at once; in-flight work finishes in the background, and clusters this
            // reload retires wait for it (its requests may still be starting on an old broker).
            rebindStops.add(h.closeAsync(TCP_DRAIN));
            releaseRouteOf(h);
        }
        long deadline = System.nanoTime() + REBIND_PATIENCE_NANOS;
        while (true) {
            try {
                result.put(l.name(), bind(l));
                return;
            } catch (GatewayException e) {
                if (System.nanoTime() - deadline > 0) {
                    result.remove(l.name());
                    log.error("reload: {}; the listener is down until the next reload", e.getMessage());
                    return;
                }
                sleepBriefly();
            }
        }
    }

    /**
     * A tcp listener leaving (removed, re-bound, or bound by a reload that is undone) gives back its
     * balancer: it leaves its cluster's list and its health checks stop. Its open connections keep
     * finishing on it (a closed balancer still picks and counts).
     */
    private void releaseRouteOf(GatewayListener listener) {
        if (listener instanceof TcpProxyListener t) {
            releasedRoutes.add(t.route());
        } else if (listener instanceof UdpProxyListener u) {
            releasedRoutes.add(u.route());
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(20); // waiting for the old socket to be closed by its own thread
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- 3. retire ----------------------------------------------------------------------------

    /**
     * Completes once every event loop has run a task queued after the swap. Requests are routed
     * and handed to a broker inside one event-loop task, so after this no request can still be on
     * its way into a retired cluster's broker: the ones that read the old routes are in flight in
     * it, and its close waits for those (an RCU grace period; without it a request that read the
     * old routes just before the swap found its broker closed).
     */
    private CompletableFuture<Void> gracePeriod() {
        List<CompletableFuture<Void>> passes = new ArrayList<>();
        for (io.netty.util.concurrent.EventExecutor loop : gateway.io().eventLoops()) {
            CompletableFuture<Void> pass = new CompletableFuture<>();
            try {
                loop.execute(() -> pass.complete(null));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                pass.complete(null); // shutting down: nothing runs there any more
            }
            passes.add(pass);
        }
        return CompletableFuture.allOf(passes.toArray(CompletableFuture[]::new));
    }

    void retire() {
        List<CompletableFuture<Void>> stopping = new ArrayList<>(rebindStops);
        for (GatewayListener l : retiredListeners) {
            stopping.add(l.closeAsync(TCP_DRAIN));
            releaseRouteOf(l);
        }
        for (TcpRoute route : releasedRoutes) {
            ClusterRuntime owner = gateway.clustersLocked().get(route.cluster());
            if (owner != null) {
                owner.release(route);
            } else {
                route.balancer().close();
            }
        }
        List<ClusterRuntime> clusters = List.copyOf(retiredClusters);
        stopping.add(gracePeriod());
        CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new))
                .whenComplete((ok, error) -> clusters.forEach(ClusterRuntime::retire));
        log.info("gateway configuration applied: {} listener(s), {} cluster(s); {} listener(s) and {} cluster(s) retiring",
                next.listeners().size(), next.clusters().size(), retiredListeners.size(), retiredClusters.size());
    }
}
