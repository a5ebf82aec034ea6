package dev.netkit.gateway.admin;

import dev.netkit.gateway.Gateway;
import dev.netkit.gateway.internal.GatewayListener;
import dev.netkit.gateway.internal.anet.AnetProxyListener;
import dev.netkit.gateway.internal.cluster.ClusterRuntime;
import dev.netkit.metrics.BrokerMetrics;
import dev.netkit.metrics.NetkitMetrics;
import dev.netkit.metrics.ServerMetrics;
import dev.netkit.netty.client.Broker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Keeps a registry's meters in step with a running gateway: the {@link BrokerMetrics} of each
 * cluster's broker (tag {@code cluster}), the {@link ServerMetrics} of each anet listener's client
 * side and the gateway's own listener meters (tag {@code listener}; see {@link ListenerMeters}).
 *
 * <p>Brokers and listeners come and go with reloads, so {@link #sync()} runs before every scrape:
 * it binds what is new, and closes (removes the meters of) what is no longer running, before
 * binding a replacement, so that a listener re-bound under the same name never meets its
 * predecessor's meters. Objects are tracked by identity: a cluster whose endpoints changed in place
 * keeps its broker, hence its meters and counts. Not thread-safe by itself: {@link AdminServer}
 * calls it under its own lock.
 */
final class GatewayMetrics implements AutoCloseable {
    private final MeterRegistry registry;
    private final Gateway gateway;
    private final Map<Broker, BrokerMetrics> brokers = new IdentityHashMap<>();
    private final Map<AnetProxyListener, ServerMetrics> servers = new IdentityHashMap<>();
    private final Map<GatewayListener, ListenerMeters> listeners = new IdentityHashMap<>();

    GatewayMetrics(MeterRegistry registry, Gateway gateway) {
        this.registry = registry;
        this.gateway = gateway;
    }

    /** Binds new brokers and listeners, removes retired ones, and snapshots every listener's stats. */
    void sync() {
        Map<Broker, String> liveBrokers = new IdentityHashMap<>();
        for (ClusterRuntime c : gateway.clusters()) {
            Broker b = c.brokerIfCreated();
            if (b != null) {
                liveBrokers.put(b, c.name());
            }
        }
        Map<GatewayListener, String> liveListeners = new IdentityHashMap<>();
        Map<AnetProxyListener, String> liveServers = new IdentityHashMap<>();
        for (GatewayListener l : gateway.listeners()) {
            liveListeners.put(l, l.name());
            if (l instanceof AnetProxyListener a) {
                liveServers.put(a, a.name());
            }
        }
        sync(brokers, liveBrokers, (b, name) -> BrokerMetrics.create(registry, Tags.of("cluster", name)).bind(b));
        brokers.values().forEach(BrokerMetrics::refresh); // endpoints changed by a reload show at once
        for (ClusterRuntime c : gateway.clusters()) { // per-endpoint latency timers (netkit_client_request_seconds)
            BrokerMetrics m = c.brokerIfCreated() == null ? null : brokers.get(c.brokerIfCreated());
            if (m != null) {
                c.observeLatency(m.observer());
            }
        }
        sync(servers, liveServers, (a, name) -> NetkitMetrics.bind(registry, a.server(), Tags.of("listener", name)));
        sync(listeners, liveListeners, (l, name) -> new ListenerMeters(registry, name, l));
        listeners.forEach((l, meters) -> meters.update(l.stats()));
    }

    private static <K, M extends AutoCloseable> void sync(Map<K, M> bound, Map<K, String> live,
                                                           BiFunction<K, String, M> bind) {
        bound.entrySet().removeIf(e -> {
            if (live.containsKey(e.getKey())) {
                return false;
            }
            closeMeters(e.getValue());
            return true;
        });
        live.forEach((k, name) -> bound.computeIfAbsent(k, key -> bind.apply(key, name)));
    }

    private static void closeMeters(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing meters failed", e);
        }
    }

    /** Removes every meter this object registered. */
    @Override
    public void close() {
        brokers.values().forEach(GatewayMetrics::closeMeters);
        servers.values().forEach(GatewayMetrics::closeMeters);
        listeners.values().forEach(GatewayMetrics::closeMeters);
        brokers.clear();
        servers.clear();
        listeners.clear();
    }
}
