package dev.netkit.metrics;

import dev.netkit.core.balance.EndpointStats;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.time.Scheduler;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerStats;
import dev.netkit.netty.client.RequestObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The meters of one {@link Broker}: its counters, each endpoint's pool and balancer state, and
 * the latency of every request attempt per endpoint.
 *
 * <pre>{@code
 * BrokerMetrics metrics = BrokerMetrics.create(registry);
 * Broker broker = Broker.create(config, BalancerListener.NONE, metrics.observer());
 * metrics.bind(broker);
 * ...
 * broker.close();
 * metrics.close(); // removes the meters
 * }</pre>
 *
 * <p><b>Cost.</b> Everything but the latency timer is read from the broker's stats at scrape time
 * (one snapshot per scrape, shared by all meters): nothing on the data path. The timer
 * ({@code netkit_client_request_seconds}, tags {@code endpoint} and {@code outcome} =
 * {@code success} or an error kind such as {@code timeout}) is recorded by {@link #observer()}
 * on the broker's I/O thread for each attempt.
 *
 * <p><b>Endpoints added or removed at runtime.</b> Per-endpoint meters are synchronized with the
 * broker's endpoints by {@link #refresh()}, which runs on {@link #bind} and then every
 * {@link #DEFAULT_REFRESH} on the shared netkit scheduler: a new endpoint's meters appear within
 * that interval, a removed endpoint's meters (pool, balancer and timers) are removed. Between its
 * removal and the next refresh a removed endpoint's pull meters read NaN.
 *
 * <p>The meter names are listed in {@link NetkitMetrics}. Several brokers on one registry need
 * distinguishing {@code tags}: meters with the same name and tags are one meter to Micrometer.
 * The meters hold the broker strongly until {@link #close()}.
 */
public final class BrokerMetrics implements AutoCloseable {
    /** How often the per-endpoint meters are synchronized with the broker's endpoints. */
    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(BrokerMetrics.class);

    private final MeterRegistry registry;
    private final Tags tags;
    private MeterGroup meters;
    private final LatencyTimers timers;
    private final long refreshNanos;
    private final Map<Endpoint, MeterGroup> pools = new HashMap<>();
    private final Map<Endpoint, MeterGroup> endpoints = new HashMap<>();
    private Broker broker;
    private Snapshot<BrokerView> view;
    private Scheduler.Cancellable nextRefresh;
    private boolean closed;

    private BrokerMetrics(MeterRegistry registry, Tags tags, Duration refresh) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.tags = Objects.requireNonNull(tags, "tags");
        this.timers = new LatencyTimers(registry, tags);
        this.refreshNanos = refresh.toNanos();
    }

    /** Metrics for one broker on {@code registry}, with no extra tags. */
    public static BrokerMetrics create(MeterRegistry registry) {
        return create(registry, Tags.empty());
    }

    /** Metrics for one broker on {@code registry}; {@code tags} go on every meter (e.g. {@code broker=orders}). */
    public static BrokerMetrics create(MeterRegistry registry, Tags tags) {
        return create(registry, tags, DEFAULT_REFRESH);
    }

    /** As {@link #create(MeterRegistry, Tags)}, synchronizing per-endpoint meters every {@code refresh}. */
    public static BrokerMetrics create(MeterRegistry registry, Tags tags, Duration refresh) {
        if (refresh.isNegative() || refresh.isZero()) {
            throw new IllegalArgumentException("refresh: must be positive, got " + refresh);
        }
        return new BrokerMetrics(registry, tags, refresh);
    }

    /**
     * The observer to pass to {@link Broker#create(dev.netkit.netty.client.BrokerConfig,
     * dev.netkit.core.balance.BalancerListener, RequestObserver)}; it feeds the latency timers.
     * Without it (a broker created otherwise) every meter but the timers works.
     */
    public RequestObserver observer() {
        return timers;
    }

    /**
     * Registers the broker's meters and starts the periodic refresh.
     *
     * @return this
     * @throws IllegalStateException if already bound or closed
     */
    public synchronized BrokerMetrics bind(Broker value) {
        Objects.requireNonNull(value, "broker");
        if (broker != null || closed) {
            throw new IllegalStateException(closed ? "closed" : "already bound to a broker");
        }
        broker = value;
        meters = new MeterGroup(registry, tags, value);
        view = new Snapshot<>(() -> BrokerView.of(value), NetkitMetrics.SNAPSHOT_TTL_NANOS);
        registerBrokerMeters();
        refresh();
        return this;
    }

    private void registerBrokerMeters() {
        broker("netkit.broker.requests.sent", "Requests written to a connection", BrokerStats::sent);
        broker("netkit.broker.responses", "Requests completed with a response", BrokerStats::responses);
        broker("netkit.broker.timeouts", "Requests failed by their deadline", BrokerStats::timeouts);
        broker("netkit.broker.connection.failures", "Attempts failed because their connection was lost or never opened", BrokerStats::connectionFailures);
        broker("netkit.broker.protocol.violations", "Connections closed because the peer broke the protocol", BrokerStats::protocolViolations);
        broker("netkit.broker.late.responses", "Responses discarded: their request had timed out or been cancelled", BrokerStats::lateResponses);
        broker("netkit.broker.rejected", "Sends refused at once: the pool's waiting line was full", BrokerStats::rejected);
        broker("netkit.broker.retries", "Failed attempts sent again to another endpoint", BrokerStats::retries);
        broker("netkit.broker.throttled", "Sends delayed by the send rate limit", BrokerStats::throttled);
        broker("netkit.broker.throttled.seconds", "Delays imposed by the send rate limit, summed", b -> b.throttledNanos() / 1e9);
        broker("netkit.broker.rate.limited", "Sends refused by the send rate limit", BrokerStats::rateLimited);
        broker("netkit.broker.connections.opened", "Connections opened, all endpoints", BrokerStats::connectionsOpened);
        broker("netkit.broker.sent.bytes", "Bytes handed to connections, frame headers included", BrokerStats::bytesSent);
        broker("netkit.broker.received.bytes", "Bytes read from connections, frame headers included", BrokerStats::bytesReceived);
        meters.gauge("netkit.broker.in.flight", "Requests admitted and not completed", () -> view.get().broker().inFlight());
        meters.gauge("netkit.broker.connections", "Connections established now", () -> view.get().broker().openConnections());
        meters.gauge("netkit.broker.connection.reuse.ratio", "Share of requests sent on an already used connection",
                () -> view.get().broker().reuseRate());
        meters.gauge("netkit.balancer.endpoints.in.service", "Endpoints picks may choose (outside panic)", () -> view.get().balancer().inService());
        meters.gauge("netkit.balancer.panic", "1 while too few endpoints are in service and picks ignore health",
                () -> view.get().balancer().panic() ? 1 : 0);
        meters.counter("netkit.balancer.ejections", "Ejections by outlier detection, all endpoints", () -> view.get().balancer().ejections());
        meters.counter("netkit.balancer.panics", "Times panic mode was entered", () -> view.get().balancer().panics());
    }

    private void broker(String name, String description, ToDoubleFunction<BrokerStats> field) {
        meters.counter(name, description, () -> field.applyAsDouble(view.get().broker()));
    }

    /**
     * Synchronizes the per-endpoint meters with the broker's endpoints now: registers those of new
     * endpoints, removes those of removed ones. Runs periodically by itself; call it to make a
     * change visible at once. Does nothing before {@link #bind} or after {@link #close()}.
     */
    public synchronized void refresh() {
        if (broker == null || closed) {
            return;
        }
        try {
            BrokerView now = BrokerView.of(broker);
            Set<Endpoint> known = new HashSet<>(now.pools().keySet());
            known.addAll(now.endpoints().keySet());
            sync(pools, now.pools().keySet(), e -> PoolMeters.register(meters, e, view, now.pools().get(e).classes()));
            sync(endpoints, now.endpoints().keySet(), e -> {
                EndpointStats stats = now.endpoints().get(e);
                return EndpointMeters.register(meters, e, !"none".equals(stats.breaker()), view);
            });
            timers.retain(known);
        } catch (RuntimeException e) {
            log.warn("refreshing the broker's per-endpoint meters failed", e);
        } finally {
            if (nextRefresh != null) {
                nextRefresh.cancel(); // a call from outside the periodic chain must not start a second one
            }
            nextRefresh = Scheduler.shared().schedule(this::refresh, refreshNanos);
        }
    }

    private static void sync(Map<Endpoint, MeterGroup> registered, Set<Endpoint> current,
                             java.util.function.Function<Endpoint, MeterGroup> register) {
        registered.entrySet().removeIf(entry -> {
            if (current.contains(entry.getKey())) {
                return false;
            }
            entry.getValue().removeAll();
            return true;
        });
        for (Endpoint endpoint : current) {
            registered.computeIfAbsent(endpoint, register);
        }
    }

    /** Stops the refresh and removes every meter of this broker, timers included. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (nextRefresh != null) {
            nextRefresh.cancel();
        }
        timers.close();
        pools.values().forEach(MeterGroup::removeAll);
        endpoints.values().forEach(MeterGroup::removeAll);
        pools.clear();
        endpoints.clear();
        if (meters != null) {
            meters.removeAll();
        }
    }
}
