package dev.netkit.gateway.internal.cluster;

import dev.netkit.core.balance.BalancerListener;
import dev.netkit.core.balance.LoadBalancer;
import dev.netkit.core.balance.Strategy;
import dev.netkit.core.balance.WeightedEndpoint;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.health.TcpConnectChecker;
import dev.netkit.core.health.UdpProbeChecker;
import dev.netkit.gateway.config.ClusterConfig;
import dev.netkit.gateway.config.LbPolicy;
import dev.netkit.gateway.config.TcpListenerConfig;
import dev.netkit.gateway.config.UdpListenerConfig;
import dev.netkit.gateway.internal.tcp.StickyTable;
import dev.netkit.gateway.internal.tcp.TcpRoute;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerHooks;
import dev.netkit.netty.client.RequestObserver;
import dev.netkit.netty.internal.tls.ClientTls;
import dev.netkit.netty.internal.tls.TlsCounters;
import dev.netkit.netty.transport.IoGroup;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One cluster of a running gateway: the {@link Broker} that request-level listeners forward
 * through (created on first use: one per cluster, shared by every route to it), and the
 * {@link LoadBalancer}s of the L4 listeners (tcp and udp) that send connections or sessions to it (one per listener, since
 * each may balance by its own policy). Endpoint changes on reload are applied to all of them in
 * place (a removed endpoint takes no new requests and finishes those in flight).
 *
 * <p>Thread-safe: the broker is created under this object's lock; the balancer list is copy-on-write.
 */
public final class ClusterRuntime {
    /** Entries kept by a sticky table at most; beyond, new clients are balanced without affinity. */
    static final int STICKY_MAX_ENTRIES = 100_000;

    private final ClusterConfig config;
    private final IoGroup io;
    private final BrokerHooks hooks;
    private LateRequestObserver latencyObserver; // guarded by this; replaced only by adopt
    private ClientTls l4Tls; // guarded by this; the cluster's TLS for L4 upstream connections, made on first use
    private final List<LoadBalancer> connectionBalancers = new CopyOnWriteArrayList<>();
    private final Set<Endpoint> drained = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private Broker broker; // guarded by this

    public ClusterRuntime(ClusterConfig config, IoGroup io, BrokerHooks hooks) {
        this.config = config;
        this.io = io;
        this.hooks = hooks;
        this.latencyObserver = new LateRequestObserver(hooks.requestObserver());
        if (config.tls().enabled()) { // the broker is made on first use: a broken file must fail the start or reload now
            new ClientTls(config.tls(), "cluster " + config.name() + " (check)", new TlsCounters(), io.eventLoops()).close();
        }
    }

    public ClusterConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    /** The broker of this cluster's request-level traffic, created on first use. */
    public synchronized Broker broker() {
        if (broker == null) {
            BrokerHooks withLatency = new BrokerHooks(hooks.balancerListener(), latencyObserver, hooks.poolListener(),
                    hooks.events(), hooks.slowRequestThreshold());
            broker = Broker.create(config.brokerConfig(), withLatency, io);
            drained.forEach(broker::drainEndpoint);
        }
        return broker;
    }

    /**
     * Sends every attempt of this cluster's broker also to {@code observer} (the admin server's
     * per-endpoint latency timers), from now on; null stops it.
     */
    public synchronized void observeLatency(RequestObserver observer) {
        latencyObserver.observeWith(observer);
    }

    /** The TLS of L4 upstream connections (null: plaintext), made on first use. */
    private synchronized ClientTls l4Tls() {
        if (l4Tls == null && config.tls().enabled()) {
            l4Tls = new ClientTls(config.tls(), "cluster " + config.name() + " (tcp)", new TlsCounters(), io.eventLoops());
        }
        return l4Tls;
    }

    /**
     * Reads the cluster's TLS files again for new upstream handshakes (its broker's and its L4
     * connections'); open connections stay.
     *
     * @throws dev.netkit.netty.tls.TlsSetupException naming the file when the new set is broken (the old one stays)
     */
    public void reloadTls() {
        if (!config.tls().enabled()) {
            return;
        }
        Broker b = brokerIfCreated();
        if (b != null) {
            b.reloadTls();
        }
        ClientTls t;
        synchronized (this) {
            t = l4Tls;
        }
        if (t != null) {
            t.reload();
        }
    }

    /** The broker if one was created, else null. */
    public synchronized Broker brokerIfCreated() {
        return broker;
    }

    /**
     * A new route for an L4 listener: a balancer of its own over this cluster's endpoints, with
     * TCP-connect health checks when the cluster has health checks on.
     */
    public TcpRoute newTcpRoute(TcpListenerConfig listener) {
        LbPolicy policy = listener.lb();
        Strategy strategy = policy.strategy().orElse(policy == LbPolicy.SOURCE_IP_HASH ? Strategy.MAGLEV
                : config.balancer().strategy());
        LoadBalancer.Builder b = LoadBalancer.builder(config.balancer().withStrategy(strategy))
                .endpoints(config.endpoints())
                .listener(BalancerListener.NONE)
                .attach(ClusterRuntime::resolve);
        if (config.health().enabled()) {
            b.healthCheck(new TcpConnectChecker(), config.health().check());
        }
        LoadBalancer balancer = b.build();
        drained.forEach(balancer::drain);
        connectionBalancers.add(balancer);
        TcpRoute.Policy how = switch (policy) {
            case SOURCE_IP_HASH -> TcpRoute.Policy.SOURCE_IP_HASH;
            case STICKY -> TcpRoute.Policy.STICKY;
            default -> TcpRoute.Policy.BALANCED;
        };
        StickyTable sticky = how == TcpRoute.Policy.STICKY
                ? new StickyTable(listener.stickyTtl().toNanos(), STICKY_MAX_ENTRIES) : null;
        return new TcpRoute(config.name(), balancer, how, sticky, l4Tls());
    }

    /**
     * A new route for a udp listener: a balancer of its own over this cluster's endpoints (its
     * picks count open sessions), with the listener's UDP probe as the health check when the
     * listener has one and the cluster has health checks on (never the TCP-connect check: it says
     * nothing about a UDP port). Released like a tcp route ({@link #release}).
     */
    public TcpRoute newUdpRoute(UdpListenerConfig listener) {
        LbPolicy policy = listener.lb();
        Strategy strategy = policy.strategy().orElse(Strategy.MAGLEV);
        LoadBalancer.Builder b = LoadBalancer.builder(config.balancer().withStrategy(strategy))
                .endpoints(config.endpoints())
                .listener(BalancerListener.NONE)
                .attach(ClusterRuntime::resolve);
        if (config.health().enabled() && listener.health().enabled()) {
            b.healthCheck(new UdpProbeChecker(listener.health().probe().bytes(), listener.health().expect().bytes()),
                    config.health().check());
        }
        LoadBalancer balancer = b.build();
        drained.forEach(balancer::drain);
        connectionBalancers.add(balancer);
        TcpRoute.Policy how = policy == LbPolicy.SOURCE_IP_HASH ? TcpRoute.Policy.SOURCE_IP_HASH : TcpRoute.Policy.BALANCED;
        return new TcpRoute(config.name(), balancer, how, null);
    }

    /** Resolved once, when the endpoint joins (on the control thread), never on an event loop. */
    private static InetSocketAddress resolve(WeightedEndpoint endpoint) {
        return new InetSocketAddress(endpoint.address().host(), endpoint.address().port());
    }

    /** An L4 listener stopped using a route of this cluster: its balancer stops its health checks. */
    public void release(TcpRoute route) {
        if (connectionBalancers.remove(route.balancer())) {
            route.balancer().close();
        }
    }

    /**
     * Whether {@code next} differs from this cluster only in its endpoints, so that
     * {@link #updateEndpoints} can apply it in place.
     */
    public boolean sameExceptEndpoints(ClusterConfig next) {
        return config.name().equals(next.name())
                && new ClusterConfig(next.name(), config.endpoints(), next.balancer(), next.health(), next.retry(),
                        next.requestTimeout(), next.closeTimeout(), next.pool(), next.validationProbe(), next.tcpNoDelay())
                        .equals(config);
    }

    /** Adds, reweights and removes endpoints in place, in the broker and every L4 balancer. */
    public ClusterRuntime updateEndpoints(ClusterConfig next) {
        Set<Endpoint> keep = new HashSet<>();
        for (WeightedEndpoint e : next.endpoints()) {
            keep.add(e.address());
        }
        Broker b = brokerIfCreated();
        for (WeightedEndpoint e : next.endpoints()) {
            if (!config.endpoints().contains(e)) {
                if (b != null) {
                    b.addEndpoint(e);
                }
                connectionBalancers.forEach(lb -> lb.add(e));
            }
        }
        for (WeightedEndpoint e : config.endpoints()) {
            if (!keep.contains(e.address())) {
                if (b != null) {
                    b.removeEndpoint(e.address());
                }
                connectionBalancers.forEach(lb -> lb.remove(e.address()));
            }
        }
        ClusterRuntime updated = new ClusterRuntime(next, io, hooks);
        updated.adopt(this);
        return updated;
    }

    private synchronized void adopt(ClusterRuntime previous) {
        synchronized (previous) {
            broker = previous.broker;
        }
        latencyObserver = previous.latencyObserver; // the broker it shares reports there
        l4Tls = previous.l4Tls;
        connectionBalancers.addAll(previous.connectionBalancers);
        drained.addAll(previous.drained);
    }

    /**
     * Keeps the maintenance drains an operator set on {@code replaced} (the runtime a reload
     * replaces with this one) for the endpoints this cluster still has: a reload that changes, say,
     * the balancer must not put a drained endpoint back in service. Call before this runtime
     * serves anything (its broker and balancers apply {@link #drained} when they are made).
     */
    public void keepDrainsOf(ClusterRuntime replaced) {
        for (Endpoint e : replaced.drained) {
            if (config.endpoints().stream().anyMatch(w -> w.address().equals(e))) {
                drained.add(e);
            }
        }
    }

    /**
     * Takes {@code endpoint} out of service (maintenance) in the broker and every L4 balancer of
     * this cluster, or puts it back; in-flight requests and open connections finish.
     *
     * @return false when it is not an endpoint of this cluster
     */
    public boolean setDrained(Endpoint endpoint, boolean drained) {
        boolean member = config.endpoints().stream().anyMatch(e -> e.address().equals(endpoint));
        if (!member) {
            return false;
        }
        if (drained) {
            this.drained.add(endpoint);
        } else {
            this.drained.remove(endpoint);
        }
        Broker b = brokerIfCreated();
        if (b != null) {
            if (drained) {
                b.drainEndpoint(endpoint);
            } else {
                b.enableEndpoint(endpoint);
            }
        }
        for (LoadBalancer lb : connectionBalancers) {
            if (drained) {
                lb.drain(endpoint);
            } else {
                lb.enable(endpoint);
            }
        }
        return true;
    }

    /** The balancers of the L4 listeners sending to this cluster. */
    public List<LoadBalancer> connectionBalancers() {
        return List.copyOf(connectionBalancers);
    }

    /**
     * Retires the cluster: its broker stops taking requests, waits for those in flight (its close
     * timeout), then closes; L4 balancers stop their health checks (open connections finish).
     */
    public CompletableFuture<Void> retire() {
        connectionBalancers.forEach(LoadBalancer::close);
        connectionBalancers.clear();
        synchronized (this) {
            if (l4Tls != null) { // engines of open connections keep their own references
                l4Tls.close();
            }
        }
        Broker b = brokerIfCreated();
        return b == null ? CompletableFuture.completedFuture(null) : b.closeAsync();
    }
}
