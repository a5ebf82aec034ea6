package dev.netkit.netty.client;

import dev.netkit.core.backoff.ExponentialBackoff;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.ClosedException;
import dev.netkit.core.error.FrameTooLargeException;
import dev.netkit.core.error.NoEndpointsException;
import dev.netkit.core.error.QueueFullException;
import dev.netkit.core.internal.Checks;
import dev.netkit.core.internal.ShutdownOnce;
import dev.netkit.core.time.Ticker;
import dev.netkit.netty.internal.RateLimitedLog;
import dev.netkit.netty.internal.Transport;
import dev.netkit.netty.internal.client.BrokerConnection;
import dev.netkit.netty.internal.client.BrokerCounters;
import dev.netkit.netty.internal.client.ConnectionSlot;
import dev.netkit.netty.internal.client.PendingRequest;
import dev.netkit.netty.wire.AnetWireFormat;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * ever delivered to the request with its id. When every connection is at
 * {@link BrokerConfig#maxInFlightPerConnection()}, {@code send} fails at once with
 * {@link QueueFullException}: it never blocks and never queues without bound. Cancelling a future
 * frees its slot; a late response is discarded.
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
    private final Bootstrap bootstrap;
    private final BrokerCounters counters = new BrokerCounters();
    private final RateLimitedLog warnings = new RateLimitedLog(log);
    private final ConnectionSlot[] slots;
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final ShutdownOnce closed = new ShutdownOnce("netkit-broker-close");
    private final long defaultTimeoutNanos;
    private final ExecutorService resolver = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("netkit-broker-dns-", 0).factory());

    private Broker(BrokerConfig config) {
        this.config = config;
        this.defaultTimeoutNanos = config.requestTimeout().toNanos();
        this.transport = Transport.resolve(config.transport());
        this.group = transport.newGroup(config.ioThreads(), "netkit-broker-io");
        this.bootstrap = new Bootstrap()
                .channel(transport.socketChannelClass())
                .option(ChannelOption.TCP_NODELAY, config.tcpNoDelay())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
        this.slots = createSlots(config);
        log.debug("netkit broker to {} (transport {}, {} I/O thread(s))", config.endpoints(), transport.name(), config.ioThreads());
    }

    /** Creates a broker; connections are opened on first use (or by {@link #connectAll()}). */
    public static Broker create(BrokerConfig config) {
        return new Broker(Objects.requireNonNull(config, "config"));
    }

    private ConnectionSlot[] createSlots(BrokerConfig config) {
        // Interleaved (e0, e1, ..., e0, e1, ...) so round-robin alternates endpoints.
        List<ConnectionSlot> list = new ArrayList<>();
        for (int i = 0; i < config.connectionsPerEndpoint(); i++) {
            for (Endpoint e : config.endpoints()) {
                list.add(new ConnectionSlot(e, reconnectBackoff(config), Ticker.system(), this::connect));
            }
        }
        return list.toArray(ConnectionSlot[]::new);
    }

    /** 50 ms doubling, ± 20 %, capped: fast enough for a restart, spread enough for a crowd. */
    private static ExponentialBackoff reconnectBackoff(BrokerConfig config) {
        Duration initial = Duration.ofMillis(50);
        Duration max = config.reconnectBackoffMax().compareTo(initial) < 0 ? initial : config.reconnectBackoffMax();
        return new ExponentialBackoff(initial, 2.0, 0.2, max);
    }

    private BrokerConnection connect(ConnectionSlot slot) {
        EventLoop loop = group.next();
        BrokerConnection connection = new BrokerConnection(slot.endpoint(), config.maxInFlightPerConnection(),
                counters, warnings, slot);
        connection.bindLoop(loop);
        String host = slot.endpoint().host();
        int port = slot.endpoint().port();
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
        if (literal != null) {
            open(loop, connection, new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(host), port));
        } else {
            // A DNS lookup blocks; this may run on an I/O thread (a send from a callback), so
            // resolve on a virtual thread and connect once the address is known.
            try {
                CompletableFuture.supplyAsync(() -> new InetSocketAddress(host, port), resolver).whenComplete((address, error) -> {
                    if (error != null || address.isUnresolved()) {
                        connection.connectFailed(error != null ? error : new UnknownHostException(host));
                    } else if (!connection.closing()) {
                        open(loop, connection, address);
                    }
                });
            } catch (RuntimeException e) { // the resolver is shut down: the broker is closing
                connection.connectFailed(e);
            }
        }
        return connection;
    }

    private void open(EventLoop loop, BrokerConnection connection, InetSocketAddress address) {
        try {
            bootstrap.clone(loop).handler(connection).connect(address).addListener(f -> {
                if (!f.isSuccess()) {
                    connection.connectFailed(f.cause());
                }
            });
        } catch (RuntimeException e) { // for example the group is shutting down
            connection.connectFailed(e);
        }
    }

    /** Sends with the configured {@link BrokerConfig#requestTimeout()}. */
    public CompletableFuture<byte[]> send(byte[] payload) {
        return send(payload, defaultTimeoutNanos);
    }

    /**
     * Sends one request. Never blocks. The payload must not be modified until the future
     * completes.
     *
     * @param timeout deadline from now until the response
     * @return a future completing with the response payload, or failing with a
     *         {@link dev.netkit.core.error.NetkitException}
     */
    public CompletableFuture<byte[]> send(byte[] payload, Duration timeout) {
        return send(payload, Checks.positive("timeout", timeout).toNanos());
    }

    private CompletableFuture<byte[]> send(byte[] payload, long timeoutNanos) {
        Objects.requireNonNull(payload, "payload");
        if (payload.length > AnetWireFormat.MAX_PAYLOAD) {
            return CompletableFuture.failedFuture(new FrameTooLargeException(payload.length, AnetWireFormat.MAX_PAYLOAD));
        }
        if (closed.requested()) {
            return CompletableFuture.failedFuture(new ClosedException("broker is closed; no new requests are accepted"));
        }
        int n = slots.length;
        int start = roundRobin.getAndIncrement();
        boolean anyFull = false;
        for (int i = 0; i < n; i++) {
            BrokerConnection connection = slots[Math.floorMod(start + i, n)].connection();
            if (connection == null) {
                continue;
            }
            if (connection.tryReserve()) {
                PendingRequest request = new PendingRequest(payload, System.nanoTime() + timeoutNanos);
                connection.submit(request);
                return request;
            }
            anyFull = true;
        }
        return CompletableFuture.failedFuture(anyFull ? queueFull() : noEndpoint());
    }

    private QueueFullException queueFull() {
        counters.rejected.increment();
        return new QueueFullException("all " + slots.length + " connection(s) are at maxInFlightPerConnection "
                + config.maxInFlightPerConnection() + " (" + inFlight() + " request(s) in flight)");
    }

    private NoEndpointsException noEndpoint() {
        StringJoiner reasons = new StringJoiner("; ");
        for (ConnectionSlot slot : slots) {
            reasons.add(slot.describeFailure());
        }
        return new NoEndpointsException("no endpoint is reachable: " + reasons);
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
     * Opens every configured connection now instead of on first use.
     *
     * @return completes when all are open; fails with the first connect error
     */
    public CompletableFuture<Void> connectAll() {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (ConnectionSlot slot : slots) {
            BrokerConnection c = slot.connection();
            all.add(c == null ? CompletableFuture.failedFuture(noEndpoint()) : c.ready());
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /** Requests admitted and not yet completed, across all connections. */
    public int inFlight() {
        int sum = 0;
        for (ConnectionSlot slot : slots) {
            BrokerConnection c = slot.current();
            if (c != null) {
                sum += c.inFlightCount();
            }
        }
        return sum;
    }

    /** A snapshot of the broker's counters. */
    public BrokerStats stats() {
        return new BrokerStats(counters.sent.sum(), counters.responses.sum(), counters.timeouts.sum(),
                counters.connectionFailures.sum(), counters.protocolViolations.sum(), counters.lateResponses.sum(),
                counters.rejected.sum(), inFlight(), counters.openConnections.get());
    }

    /** The transport in use: {@code "epoll"}, {@code "io_uring"} or {@code "nio"}. */
    public String transportName() {
        return transport.name();
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
        ClosedException reason = new ClosedException("broker closed with " + left
                + " request(s) still in flight after waiting closeTimeout " + config.closeTimeout());
        for (ConnectionSlot slot : slots) {
            BrokerConnection c = slot.current();
            if (c != null) {
                c.close(reason);
            }
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await();
        resolver.shutdownNow();
    }
}
