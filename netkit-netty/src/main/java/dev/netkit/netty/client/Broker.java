package dev.netkit.netty.client;

import dev.netkit.core.balance.BalancerListener;
import dev.netkit.core.balance.BalancerStats;
import dev.netkit.core.balance.LoadBalancer;
import dev.netkit.core.balance.WeightedEndpoint;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.ClosedException;
import dev.netkit.core.health.HealthChecker;
import dev.netkit.core.health.TcpConnectChecker;
import dev.netkit.core.time.Scheduler;
import dev.netkit.core.time.Ticker;
import dev.netkit.netty.health.AnetProbeChecker;
import dev.netkit.core.error.FrameTooLargeException;
import dev.netkit.core.error.NetkitException;
import dev.netkit.core.error.QueueFullException;
import dev.netkit.core.internal.Checks;
import dev.netkit.core.internal.ShutdownOnce;
import dev.netkit.core.pool.ConnectionPool;
import dev.netkit.core.pool.Lease;
import dev.netkit.core.pool.PoolGroup;
import dev.netkit.core.pool.PoolListener;
import dev.netkit.core.pool.PoolStats;
import dev.netkit.netty.internal.RateLimitedLog;
import dev.netkit.netty.internal.Transport;
import dev.netkit.netty.internal.client.BrokerConnection;
import dev.netkit.netty.internal.client.BrokerConnector;
import dev.netkit.netty.internal.client.BrokerCounters;
import dev.netkit.netty.internal.client.BackoffResettingListener;
import dev.netkit.netty.internal.client.EventingBalancerListener;
import dev.netkit.netty.internal.client.EventingPoolListener;
import dev.netkit.netty.internal.client.EventingRequestObserver;
import dev.netkit.netty.internal.client.LoggingBalancerListener;
import dev.netkit.netty.internal.event.Emitter;
import dev.netkit.netty.internal.client.PingValidator;
import dev.netkit.netty.internal.client.RequestRouter;
import dev.netkit.netty.internal.client.SendThrottle;
import dev.netkit.netty.internal.tls.ClientTls;
import dev.netkit.netty.internal.tls.TlsCounters;
import dev.netkit.netty.internal.tls.TlsEvents;
import dev.netkit.netty.wire.AnetWireFormat;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import dev.netkit.netty.transport.IoGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends requests to one or more servers speaking wire format v1 and matches their responses by
 * correlation id, with many requests in flight on each persistent connection.
 *
 * <pre>{@code
 * try (Broker broker = Broker.create(BrokerConfig.builder().endpoints("127.0.0.1:7070").build())) {
 *     byte[] reply = broker.call("hello".getBytes());              // blocking
 *     broker.send(payload).thenAccept(r -> ...);                     // asynchronous
 * }
 * }</pre>
 *
 * <p><b>Guarantees.</b> Every returned future completes exactly once: with the response, or with a
 * {@link dev.netkit.core.error.NetkitException} whose {@code kind()} says why (timeout, connection
 * lost, protocol violation, queue full, closed, frame too large, no endpoints). A response is only
 * ever delivered to the request with its id. {@code send} never blocks: when no connection has room
 * (each carries at most {@link BrokerConfig#maxInFlightPerConnection()} requests) the request waits
 * in the endpoint's pool for one, within its deadline, and beyond the pool's {@code maxPending}
 * waiting requests it fails at once with {@link QueueFullException}. Cancelling a future frees its
 * slot; a late response is discarded.
 *
 * <p><b>Balancing and failover.</b> Each request picks its endpoint from a
 * {@link LoadBalancer} ({@link BrokerConfig#balancer()}: round robin by default; weighted, least
 * outstanding, least latency, random, ring hash and Maglev with {@link RequestOptions#withKey},
 * zone-aware). Endpoints that fail requests are ejected for a while (5 failures in a row by
 * default), endpoints whose circuit breaker opens are skipped until trial requests succeed, and
 * with {@link BrokerConfig#healthCheck()} endpoints failing active checks are skipped until they
 * pass. A request that failed without being written (its connection was refused or lost before
 * it was sent), or any request marked {@link RequestOptions#asIdempotent() idempotent}, is retried
 * once on another endpoint within its deadline and a retry budget ({@link BrokerConfig#retry()}).
 *
 * <p><b>Connections.</b> One {@link ConnectionPool} per endpoint ({@link BrokerConfig#pool()}):
 * connections open on demand up to {@code maxTotal}, {@code minIdle} are kept open, and failed
 * connects back off with jitter. A request holds one lease on its connection until it completes.
 *
 * <p><b>Threads.</b> Thread-safe. Futures complete on the broker's I/O thread: keep callbacks
 * short or move them elsewhere with the {@code *Async} methods of {@link CompletableFuture}.
 * Sending from such a callback is the fastest path (no thread hand-off).
 */
public final class Broker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Broker.class);

    private final BrokerConfig config;
    private final Transport transport;
    private final EventLoopGroup group;
    private final boolean ownsGroup; // false when the event loops are a shared IoGroup
    private final BrokerCounters counters = new BrokerCounters();
    private final RateLimitedLog warnings = new RateLimitedLog(log);
    private final BrokerConnector connector;
    private final ClientTls tls; // null: plaintext
    private final PoolGroup<BrokerConnection> pools;
    private final LoadBalancer balancer;
    private AnetProbeChecker probe; // owns a thread; closed with the broker
    private final RequestRouter router;
    private final SendThrottle throttle; // null: no send limit
    private final int defaultQosClass;   // the policy's default class (0 without a policy)
    private final ShutdownOnce closed = new ShutdownOnce("netkit-broker-close");
    private final long defaultTimeoutNanos;
    private final ExecutorService resolver = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("netkit-broker-dns-", 0).factory());

    private Broker(BrokerConfig config, BrokerHooks hooks, IoGroup io) {
        this.config = config;
        this.defaultTimeoutNanos = config.requestTimeout().toNanos();
        this.ownsGroup = io == null;
        this.transport = io == null ? Transport.resolve(config.transport()) : io.transport();
        this.group = io == null ? transport.newGroup(config.ioThreads(), "netkit-broker-io") : io.eventLoops();
        try {
            this.tls = config.tls().enabled() ? new ClientTls(config.tls(), "broker to " + config.endpoints().size()
                    + " endpoint(s)", new TlsCounters(), group) : null;
        } catch (RuntimeException e) { // a broken TLS file: nothing else was started yet
            if (ownsGroup) {
                group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            }
            throw e;
        }
        Emitter emitter = new Emitter(hooks.events());
        Bootstrap bootstrap = new Bootstrap()
                .channel(transport.socketChannelClass())
                .option(ChannelOption.TCP_NODELAY, config.tcpNoDelay())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
        this.connector = new BrokerConnector(group, bootstrap, resolver, config.maxInFlightPerConnection(), counters, warnings,
                tls, new TlsEvents(emitter, dev.netkit.core.event.Side.CLIENT));
        PingValidator validator = config.validationPayload() == null ? null
                : new PingValidator(config.validationPayload(), config.pool().validationTimeout());
        PoolListener poolListener = new EventingPoolListener(emitter, hooks.poolListener());
        this.pools = new PoolGroup<>(config.endpoints().stream().map(WeightedEndpoint::address).toList(),
                endpoint -> ConnectionPool.builder(endpoint, connector)
                        .config(config.pool())
                        .validator(validator)
                        .listener(poolListener)
                        .qos(config.qos())
                        .build());
        // In this order: the pool is ready to dial before anyone (the user's listener) hears of a return.
        BalancerListener listener = BalancerListener.all(new BackoffResettingListener(pools), new LoggingBalancerListener(),
                new EventingBalancerListener(emitter), hooks.balancerListener());
        LoadBalancer.Builder balancing = LoadBalancer.builder(config.balancer())
                .endpoints(config.endpoints())
                .listener(listener)
                .attach(endpoint -> pools.add(endpoint.address()))
                // Closing a pool only fails its waiters (who may retry elsewhere) and closes idle
                // connections; leased ones close when their requests end.
                .detach(pool -> pools.remove(((ConnectionPool<?>) pool).endpoint()));
        if (config.healthCheck() != null) {
            HealthChecker checker;
            if (config.healthCheckPayload() == null) {
                checker = new TcpConnectChecker();
            } else {
                probe = AnetProbeChecker.builder(config.healthCheckPayload()).transport(config.transport()).tls(config.tls()).build();
                checker = probe;
            }
            balancing.healthCheck(checker, config.healthCheck());
        }
        this.balancer = balancing.build();
        this.router = new RequestRouter(balancer, counters, closed::requested, config.retry(),
                config.retry().newBudget(Ticker.system()), Scheduler.shared(), observerFor(hooks, emitter));
        this.defaultQosClass = config.qos() == null ? 0 : config.qos().indexOf(null);
        this.throttle = config.sendLimit() == null ? null : new SendThrottle(config.sendLimit(), Ticker.system(), Scheduler.shared(),
                emitter, io != null ? io : IoGroup.view(transport, group));
        log.debug("netkit broker to {} (transport {}, {} I/O thread(s))", config.endpoints(), transport.name(), config.ioThreads());
    }

    /**
     * The request observer chain: none at all (one null check per attempt) unless someone may want
     * request events or slow requests are watched.
     */
    private static RequestObserver observerFor(BrokerHooks hooks, Emitter emitter) {
        long slowNanos = hooks.slowRequestThreshold().toNanos();
        if (hooks.events() == null && slowNanos == 0) {
            return hooks.requestObserver();
        }
        return new EventingRequestObserver(emitter, slowNanos, hooks.requestObserver());
    }

    /** Creates a broker; its pools open {@code minIdle} connections per endpoint at once, the rest on demand. */
    public static Broker create(BrokerConfig config) {
        return create(config, BrokerHooks.none());
    }

    /**
     * Creates a broker whose load balancer tells {@code listener} of ejections, returns, health
     * and breaker changes (for metrics, logs and timelines).
     */
    public static Broker create(BrokerConfig config, BalancerListener listener) {
        return create(config, BrokerHooks.builder().balancerListener(listener).build());
    }

    /**
     * Creates a broker that also tells {@code observer} how each attempt of each request ended
     * (for metrics: latency per endpoint, failures by kind); null for none.
     */
    public static Broker create(BrokerConfig config, BalancerListener listener, RequestObserver observer) {
        return create(config, BrokerHooks.builder().balancerListener(listener).requestObserver(observer).build());
    }

    /**
     * Creates a broker with listeners, an observer and an event bus ({@link BrokerHooks}): typed
     * events for its connections, requests, pools, ejections and breakers go to
     * {@link BrokerHooks#events()}. The bus is not closed with the broker (it may serve several).
     */
    public static Broker create(BrokerConfig config, BrokerHooks hooks) {
        return new Broker(Objects.requireNonNull(config, "config"), Objects.requireNonNull(hooks, "hooks"), null);
    }

    /**
     * Creates a broker on shared event loops ({@link BrokerConfig#ioThreads()} and
     * {@link BrokerConfig#transport()} are then ignored; the broker does not close them). A proxy
     * that runs its servers on the same {@link IoGroup} sends from the thread a request arrived
     * on, without a hand-off.
     */
    public static Broker create(BrokerConfig config, BrokerHooks hooks, IoGroup io) {
        return new Broker(Objects.requireNonNull(config, "config"), Objects.requireNonNull(hooks, "hooks"),
                Objects.requireNonNull(io, "io"));
    }

    /**
     * Adds an endpoint (or changes the weight of one): its pool is created, and the balancer
     * starts picking it (in slow start, when configured).
     */
    public void addEndpoint(WeightedEndpoint endpoint) {
        if (closed.requested()) {
            throw new IllegalStateException("broker is closed; cannot add " + endpoint.address());
        }
        balancer.add(endpoint);
    }

    /**
     * Removes an endpoint: no new request is sent to it; requests already on its connections
     * finish, then its connections close; requests waiting for one of its connections fail over.
     *
     * @return whether it was an endpoint of this broker
     */
    public boolean removeEndpoint(Endpoint endpoint) {
        return balancer.remove(endpoint); // its pool is removed and closed by the balancer's detach
    }

    /**
     * Takes an endpoint out of service for maintenance: no new requests (not even in panic);
     * requests in flight on it finish. Undo with {@link #enableEndpoint}.
     *
     * @return false when it is not a member
     */
    public boolean drainEndpoint(Endpoint endpoint) {
        return balancer.drain(endpoint);
    }

    /** Puts an endpoint taken out by {@link #drainEndpoint} back in service; false when it is not a member. */
    public boolean enableEndpoint(Endpoint endpoint) {
        return balancer.enable(endpoint);
    }

    /** The load balancer's view of every endpoint: status, outstanding, latency, picks, outcomes. */
    public BalancerStats balancerStats() {
        return balancer.stats();
    }

    /** Sends with the configured {@link BrokerConfig#requestTimeout()}. */
    public CompletableFuture<byte[]> send(byte[] payload) {
        return send(payload, defaultTimeoutNanos);
    }

    /**
     * Sends one request. Never blocks. The payload must not be modified until the future
     * completes.
     *
     * @param timeout deadline from now until the response, waiting for a connection included
     * @return a future completing with the response payload, or failing with a
     *         {@link dev.netkit.core.error.NetkitException}
     */
    public CompletableFuture<byte[]> send(byte[] payload, Duration timeout) {
        return send(payload, Checks.positive("timeout", timeout).toNanos());
    }

    /**
     * Sends one request with per-request settings (deadline, idempotency for retries, a hashing
     * key for sticky sessions). Never blocks.
     */
    public CompletableFuture<byte[]> send(byte[] payload, RequestOptions options) {
        Objects.requireNonNull(options, "options");
        long timeoutNanos = options.timeout() == null ? defaultTimeoutNanos : options.timeout().toNanos();
        int qosClass;
        try {
            qosClass = qosClassOf(options.qosClass());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return send(payload, timeoutNanos, options.idempotent(), options.keyed(), options.key(), qosClass);
    }

    private int qosClassOf(String name) {
        if (config.qos() != null) {
            return config.qos().indexOf(name);
        }
        if (name != null) {
            throw new IllegalArgumentException("qosClass: '" + name + "' (this broker has no qos policy; set BrokerConfig.qos)");
        }
        return 0;
    }

    private CompletableFuture<byte[]> send(byte[] payload, long timeoutNanos) {
        return send(payload, timeoutNanos, false, false, 0, defaultQosClass);
    }

    private CompletableFuture<byte[]> send(byte[] payload, long timeoutNanos, boolean idempotent, boolean keyed, long key,
                                           int qosClass) {
        Objects.requireNonNull(payload, "payload");
        if (payload.length > AnetWireFormat.MAX_PAYLOAD) {
            return CompletableFuture.failedFuture(new FrameTooLargeException(payload.length, AnetWireFormat.MAX_PAYLOAD));
        }
        if (closed.requested()) {
            return CompletableFuture.failedFuture(new ClosedException("broker is closed; no new requests are accepted"));
        }
        long now = System.nanoTime();
        if (throttle != null) {
            return throttle.send(payload.length, now, now + timeoutNanos,
                    () -> router.send(payload, now, now + timeoutNanos, idempotent, keyed, key, qosClass));
        }
        return router.send(payload, now, now + timeoutNanos, idempotent, keyed, key, qosClass);
    }

    /** Sends and waits, with the configured request timeout. */
    public byte[] call(byte[] payload) {
        refuseOnIoThread("call");
        return await(send(payload));
    }

    /** Sends and waits at most {@code timeout} for the response. */
    public byte[] call(byte[] payload, Duration timeout) {
        refuseOnIoThread("call");
        return await(send(payload, timeout));
    }

    /**
     * Blocking on the broker's own I/O thread would wait for a response that only that thread can
     * read: a deadlock, which no deadline can end since deadlines run there too.
     */
    private void refuseOnIoThread(String method) {
        for (EventExecutor executor : group) {
            if (executor.inEventLoop()) {
                throw new IllegalStateException(method + "() would block the broker's I/O thread "
                        + Thread.currentThread().getName() + " (a future callback?); use send() there instead");
            }
        }
    }

    private byte[] await(CompletableFuture<byte[]> future) {
        try {
            return future.get(); // bounded: every request has a deadline
        } catch (InterruptedException e) {
            future.cancel(false);
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for a response; the request was cancelled");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Opens connections now instead of on first use: at least one per endpoint, and the pool's
     * {@code minIdle}.
     *
     * @return completes when they are open; fails with the first connect error
     */
    public CompletableFuture<Void> connectAll() {
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (ConnectionPool<BrokerConnection> pool : pools.pools()) {
            all.add(pool.acquire().thenAccept(Lease::release));
            all.add(pool.warmUp());
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /** Requests admitted and not yet completed: on connections, waiting for one, and retries in their backoff. */
    public int inFlight() {
        int sum = router.inBackoff() + (throttle == null ? 0 : throttle.delayed());
        for (ConnectionPool<BrokerConnection> pool : pools.pools()) {
            sum += pool.inFlight() + pool.pending();
        }
        return sum;
    }

    /** A snapshot of the broker's counters. */
    public BrokerStats stats() {
        long opened = 0;
        long acquired = 0;
        long reused = 0;
        for (PoolStats p : pools.stats()) {
            opened += p.created();
            acquired += p.acquired();
            reused += p.reused();
        }
        return new BrokerStats(counters.sent.sum(), counters.responses.sum(), counters.timeouts.sum(),
                counters.connectionFailures.sum(), counters.protocolViolations.sum(), counters.lateResponses.sum(),
                counters.rejected.sum(), counters.retries.sum(), inFlight(), counters.openConnections.get(), opened,
                acquired == 0 ? 0.0 : (double) reused / acquired, counters.bytesSent.sum(), counters.bytesReceived.sum(),
                throttle == null ? 0 : throttle.throttled.sum(), throttle == null ? 0 : throttle.throttledNanos.sum(),
                throttle == null ? 0 : throttle.refused.sum());
    }

    /** A snapshot of each endpoint's connection pool. */
    public List<PoolStats> poolStats() {
        return pools.stats();
    }

    /** The fleet send limit's counters ({@link SendLimit#fleet()}), or null without one. */
    public dev.netkit.netty.fleet.FleetStats fleetStats() {
        return throttle == null ? null : throttle.fleetStats();
    }

    /** The transport in use: {@code "epoll"}, {@code "io_uring"} or {@code "nio"}. */
    public String transportName() {
        return transport.name();
    }

    /**
     * Reads the TLS files again (client certificate and key, CA) and uses them for connections
     * opened from now on, the health probes' included; open connections are not touched.
     * Thread-safe.
     *
     * @throws dev.netkit.netty.tls.TlsSetupException naming the file when the new set is broken: the
     *         set in use stays
     * @throws IllegalStateException when the broker does not use TLS
     */
    public void reloadTls() {
        if (tls == null) {
            throw new IllegalStateException("reloadTls: the broker to " + config.endpoints() + " is plaintext (tls mode NONE)");
        }
        tls.reload();
        if (probe != null) {
            probe.reloadTls();
        }
    }

    /** The configuration this broker was created with. */
    public BrokerConfig config() {
        return config;
    }

    /**
     * Stops accepting requests, waits up to {@link BrokerConfig#closeTimeout()} for those in
     * flight, fails the rest with {@link ClosedException}, and releases the threads. Idempotent.
     */
    public CompletableFuture<Void> closeAsync() {
        return closed.run(this::shutdown);
    }

    /** Closes and waits until done; see {@link #closeAsync()}. */
    @Override
    public void close() {
        refuseOnIoThread("close");
        closeAsync().join();
    }

    private void shutdown() throws InterruptedException {
        long deadline = System.nanoTime() + config.closeTimeout().toNanos();
        while (inFlight() > 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(2); // draining: responses complete on the I/O threads
        }
        int left = inFlight();
        NetkitException reason = new ClosedException("broker closed with " + left
                + " request(s) still in flight after waiting closeTimeout " + config.closeTimeout());
        balancer.close();
        if (throttle != null) {
            throttle.close(); // its fleet limit's Redis connection, on these event loops
        }
        if (probe != null) {
            probe.close();
        }
        pools.close(); // waiters fail; idle connections close; leased ones when their requests end
        connector.closeAll(reason);
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await();
        }
        if (tls != null) {
            tls.close();
        }
        resolver.shutdownNow();
    }
}
