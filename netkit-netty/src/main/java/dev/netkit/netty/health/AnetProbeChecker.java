package dev.netkit.netty.health;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.health.HealthCheckException;
import dev.netkit.core.health.HealthCheckException.Kind;
import dev.netkit.core.health.HealthChecker;
import dev.netkit.netty.internal.Transport;
import dev.netkit.netty.internal.health.Preview;
import dev.netkit.netty.internal.health.Probe;
import dev.netkit.netty.internal.health.ProbeTlsHandshake;
import dev.netkit.netty.internal.tls.ClientTls;
import dev.netkit.netty.internal.tls.TlsCounters;
import dev.netkit.netty.tls.TlsConfig;
import dev.netkit.netty.transport.TransportKind;
import dev.netkit.netty.wire.AnetWireFormat;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * A protocol health check for servers speaking wire format v1: opens a connection, sends one
 * frame with a configured payload, and passes when the answer is the expected one (by default the
 * payload echoed back); then closes the connection.
 *
 * <pre>{@code
 * try (AnetProbeChecker probe = AnetProbeChecker.builder("ping".getBytes(US_ASCII))
 *         .expect("pong".getBytes(US_ASCII)).build()) {
 *     HealthCheckRunner runner = HealthCheckRunner.builder(endpoint, probe).listener(...).build();
 *     runner.start();
 *     ...
 * }
 * }</pre>
 *
 * <p><b>A fresh connection per check</b>, as HAProxy does: it proves the server still accepts
 * connections (a server that is shutting down, or whose accept queue is full, may still serve the
 * connections it has), needs no state between checks, and cannot be fooled by a half-dead
 * connection kept from an earlier check. At the default 2 s interval that is half a connection per
 * second per endpoint, negligible for the server.
 *
 * <p><b>Failures</b> are {@link HealthCheckException}s whose kind and message say what happened:
 * {@code CONNECT_FAILED} ("connect to 127.0.0.1:7001 refused"), {@code TIMED_OUT} ("connect to ...
 * timed out after 1000 ms", "no answer from ... within 1000 ms"), {@code WRONG_ANSWER} ("wrong
 * answer from ...: got 4 bytes "nope", expected 4 bytes "pong""), {@code CLOSED_BY_PEER},
 * {@code PROTOCOL_VIOLATION}, and {@code ERROR} once the checker is closed.
 *
 * <p><b>Threads.</b> Thread-safe; one checker can serve every endpoint of a control plane. It
 * owns one I/O thread (daemon, {@code netkit-health-io}), released by {@link #close()}; host
 * names are resolved on virtual threads, never on the I/O thread. {@link #check} never blocks;
 * its stage completes on the I/O thread, so what runs on it (a {@code HealthCheckRunner}'s
 * bookkeeping and listener) must be short.
 */
public final class AnetProbeChecker implements HealthChecker, AutoCloseable {
    private static final ThreadFactory RESOLVERS = Thread.ofVirtual().name("netkit-health-dns-", 0).factory();

    private final byte[] payload;
    private final Probe.Expectation expectation;
    private final Transport transport;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final Set<Probe> live = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ClientTls tls; // null: plaintext

    private AnetProbeChecker(Builder b) {
        this.payload = b.payload;
        this.expectation = b.expectation != null ? b.expectation
                : new Probe.Expectation(echo(b.payload), "the payload echoed: " + Preview.of(b.payload));
        this.transport = Transport.resolve(b.transport);
        this.group = transport.newGroup(1, "netkit-health-io");
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(transport.socketChannelClass())
                .option(ChannelOption.TCP_NODELAY, true);
        try {
            this.tls = b.tls.enabled() ? new ClientTls(b.tls, "anet probe checker", new TlsCounters(), group) : null;
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    private static Predicate<byte[]> echo(byte[] expected) {
        return answer -> Arrays.equals(answer, expected);
    }

    /**
     * Starts building a checker that sends {@code payload} (copied) in its probe frame.
     *
     * @throws dev.netkit.core.error.FrameTooLargeException if it does not fit in one frame
     */
    public static Builder builder(byte[] payload) {
        return new Builder(payload);
    }

    @Override
    public CompletionStage<Void> check(Endpoint endpoint, Duration timeout) {
        Objects.requireNonNull(endpoint, "endpoint");
        long timeoutNanos = Objects.requireNonNull(timeout, "timeout").toNanos();
        if (closed.get()) {
            return CompletableFuture.failedFuture(new HealthCheckException(Kind.ERROR,
                    "health check of " + endpoint + " not started: the anet probe checker is closed"));
        }
        EventLoop loop = group.next();
        Probe probe = new Probe(endpoint, payload, expectation, timeoutNanos);
        live.add(probe);
        probe.result().whenComplete((v, e) -> live.remove(probe));
        if (closed.get()) { // close() may have swept the set just before the add
            probe.fail(Kind.ERROR, "health check of " + endpoint + " abandoned: the anet probe checker is closed", null);
            return probe.result();
        }
        probe.start(loop, timeoutNanos);
        if (probe.result().isDone()) {
            return probe.result(); // the I/O thread is shutting down
        }
        String host = endpoint.host();
        if (NetUtil.createByteArrayFromIpAddressString(host) != null) {
            open(loop, probe, endpoint, new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(host), endpoint.port()), timeoutNanos);
        } else {
            // A DNS lookup blocks, and the caller may be an I/O or timer thread: resolve on a virtual thread.
            RESOLVERS.newThread(() -> {
                try {
                    InetAddress address = InetAddress.getByName(host);
                    if (!probe.result().isDone()) {
                        open(loop, probe, endpoint, new InetSocketAddress(address, endpoint.port()), timeoutNanos);
                    }
                } catch (Exception e) {
                    probe.connectFailed(e);
                }
            }).start();
        }
        return probe.result();
    }

    private void open(EventLoop loop, Probe probe, Endpoint endpoint, InetSocketAddress address, long timeoutNanos) {
        try {
            // Netty's own connect timeout too, so the message says "connect" when the SYN went unanswered.
            int connectMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
            ChannelFuture connect = bootstrap.clone(loop)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectMillis)
                    .handler(handlerFor(probe, endpoint, timeoutNanos))
                    .connect(address);
            probe.opened(connect.channel());
            connect.addListener(f -> {
                if (!f.isSuccess()) {
                    probe.connectFailed(f.cause());
                }
            });
        } catch (RuntimeException e) { // for example the group is shutting down
            probe.connectFailed(e);
        }
    }

    /** The probe alone, or behind TLS (the endpoint's host is the name sent and verified, unless the config names one). */
    private ChannelHandler handlerFor(Probe probe, Endpoint endpoint, long timeoutNanos) {
        if (tls == null) {
            return probe;
        }
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                var ssl = tls.newHandler(ch.alloc(), endpoint);
                ssl.setHandshakeTimeoutMillis(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos))); // within the check's own timeout
                ch.pipeline().addLast("netkit-tls", ssl).addLast(new ProbeTlsHandshake(probe, endpoint)).addLast(probe);
            }
        };
    }

    /**
     * Reads the TLS files again for the probes started from now on.
     *
     * @throws dev.netkit.netty.tls.TlsSetupException naming the file when the new set is broken (the set in use stays)
     * @throws IllegalStateException when the checker does not use TLS
     */
    public void reloadTls() {
        if (tls == null) {
            throw new IllegalStateException("reloadTls: this anet probe checker is plaintext (tls mode NONE)");
        }
        tls.reload();
    }

    /** The transport in use: {@code "epoll"}, {@code "io_uring"} or {@code "nio"}. */
    public String transportName() {
        return transport.name();
    }

    /**
     * Fails the probes in progress, closes their connections and stops the I/O thread (waiting up
     * to about a second). Later checks fail at once. Idempotent. Must not be called on the
     * checker's own I/O thread, for example from a listener.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Probe probe : List.copyOf(live)) {
            probe.fail(Kind.ERROR, "health check abandoned: the anet probe checker was closed", null);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        if (tls != null) {
            tls.close();
        }
    }

    /** Collects the probe and the transport; {@link #build()} starts the I/O thread. */
    public static final class Builder {
        private final byte[] payload;
        private Probe.Expectation expectation;
        private TransportKind transport = TransportKind.AUTO;
        private TlsConfig tls = TlsConfig.none();

        private Builder(byte[] payload) {
            this.payload = Objects.requireNonNull(payload, "payload").clone();
            AnetWireFormat.checkPayloadSize(this.payload.length);
        }

        /** A healthy answer is exactly {@code answer} (copied); default: the payload echoed back. */
        public Builder expect(byte[] answer) {
            byte[] copy = Objects.requireNonNull(answer, "answer").clone();
            expectation = new Probe.Expectation(echo(copy), Preview.of(copy));
            return this;
        }

        /**
         * A healthy answer is one {@code test} accepts; {@code description} (for example
         * {@code "a non-empty answer"}) ends the message of a wrong answer. The test runs on the I/O
         * thread: it must be fast; if it throws, the check fails.
         */
        public Builder expect(Predicate<byte[]> test, String description) {
            expectation = new Probe.Expectation(Objects.requireNonNull(test, "test"),
                    Objects.requireNonNull(description, "description"));
            return this;
        }

        /** The I/O transport; default {@link TransportKind#AUTO}. */
        public Builder transport(TransportKind value) {
            transport = Objects.requireNonNull(value, "transport");
            return this;
        }

        /**
         * Probes over TLS with these client settings (the same as the broker's: the endpoint's host
         * is verified unless {@link TlsConfig#serverName()} is set); default {@link TlsConfig#none()}.
         * A failed handshake is a {@code CONNECT_FAILED} verdict naming the TLS reason (a
         * {@code TIMED_OUT} one when it stalled).
         */
        public Builder tls(TlsConfig value) {
            tls = Objects.requireNonNull(value, "tls").checkClient();
            return this;
        }

        /**
         * Builds the checker and starts its I/O thread.
         *
         * @throws IllegalStateException if the transport is not available here
         * @throws dev.netkit.netty.tls.TlsSetupException if a TLS file cannot be read
         */
        public AnetProbeChecker build() {
            return new AnetProbeChecker(this);
        }
    }
}
