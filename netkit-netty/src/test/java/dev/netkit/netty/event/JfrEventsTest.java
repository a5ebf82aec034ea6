package dev.netkit.netty.event;

import static dev.netkit.netty.testing.Futures.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.balance.BalancerConfig;
import dev.netkit.core.balance.OutlierConfig;
import dev.netkit.core.breaker.BreakerConfig;
import dev.netkit.core.error.ErrorKind;
import dev.netkit.core.error.NetkitException;
import dev.netkit.core.retry.RetryPolicy;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerConfig;
import dev.netkit.netty.client.BrokerHooks;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.HeldRequests;
import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JFR events for the rare, important things, emitted by brokers and servers that have no
 * event bus at all: recorded on loopback, dumped, and read back with their fields.
 */
class JfrEventsTest {
    private static final List<String> NAMES = List.of("dev.netkit.PoolExhausted", "dev.netkit.EndpointEjected",
            "dev.netkit.BreakerStateChanged", "dev.netkit.SlowRequest", "dev.netkit.LimitReached");

    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }


    @Test
    void ejectionBreakerPoolExhaustionSlowRequestAndLimitAreRecorded() throws Exception {
        int dead = TestServers.deadPort();
        List<RecordedEvent> events;
        try (Recording recording = new Recording()) {
            NAMES.forEach(name -> recording.enable(name));
            recording.start();

            ejectADeadEndpoint(dead);
            openABreaker(dead);
            exhaustAPoolWithASlowRequestAndRefuseAConnection();

            recording.stop();
            Path file = dir.resolve("netkit.jfr");
            recording.dump(file);
            events = RecordingFile.readAllEvents(file);
        }
        String deadEndpoint = "127.0.0.1:" + dead;

        assertThat(named(events, "dev.netkit.EndpointEjected")).anySatisfy(e -> {
            assertThat(e.getString("endpoint")).isEqualTo(deadEndpoint);
            assertThat(e.getString("reason")).isNotBlank();
            assertThat(e.getDuration("ejectionDuration")).isPositive();
        });
        assertThat(named(events, "dev.netkit.BreakerStateChanged")).anySatisfy(e -> {
            assertThat(e.getString("endpoint")).isEqualTo(deadEndpoint);
            assertThat(e.getString("from")).isEqualTo("CLOSED");
            assertThat(e.getString("to")).isEqualTo("OPEN");
            assertThat(e.getString("reason")).contains("failure rate");
        });
        assertThat(named(events, "dev.netkit.PoolExhausted")).singleElement().satisfies(e -> {
            assertThat(e.getString("cause")).isEqualTo("max_pending");
            assertThat(e.getString("state")).contains("total=1").contains("in_flight=1");
        });
        // The refused request may be slow too (the first JFR commit of a type loads classes on its
        // path), so only the answered one is pinned down; every one reached the threshold.
        assertThat(named(events, "dev.netkit.SlowRequest")).allSatisfy(e -> {
            assertThat(e.getDuration("threshold")).isEqualTo(Duration.ofMillis(5));
            assertThat(e.getDuration("latency")).isGreaterThanOrEqualTo(Duration.ofMillis(5));
        }).filteredOn(e -> e.getString("failure").isEmpty()).singleElement()
                .satisfies(e -> assertThat(e.getDuration("latency")).isGreaterThanOrEqualTo(Duration.ofMillis(6)));
        assertThat(named(events, "dev.netkit.LimitReached")).singleElement().satisfies(e -> {
            assertThat(e.getString("limit")).isEqualTo("MAX_CONNECTIONS");
            assertThat(e.getLong("value")).isEqualTo(1);
            assertThat(e.getLong("current")).isEqualTo(1);
        });
        assertThat(events).allSatisfy(e -> assertThat(e.getEventType().getCategoryNames()).containsExactly("netkit"));
    }

    @Test
    void aConnectionRefusedByTheIpPolicyIsRecordedWithItsReason() throws Exception {
        List<RecordedEvent> events;
        int clientPort;
        try (Recording recording = new Recording()) {
            recording.enable("dev.netkit.ConnectionRefused");
            recording.start();
            try (FrameServer server = FrameServer.builder().config(TestServers.loopback()
                            .ipPolicy(dev.netkit.core.ip.IpPolicy.builder().allow("127.0.0.3").build()).build())
                    .handler(RequestHandler.echo()).start();
                 dev.netkit.netty.testing.RawClient refused = dev.netkit.netty.testing.RawClient.from("127.0.0.2", server.localAddress())) {
                clientPort = refused.socket().getLocalPort();
                assertThat(refused.closedByPeerWithin(3_000)).isTrue();
            }
            recording.stop();
            Path file = dir.resolve("refused.jfr");
            recording.dump(file);
            events = RecordingFile.readAllEvents(file);
        }
        assertThat(named(events, "dev.netkit.ConnectionRefused")).singleElement().satisfies(e -> {
            assertThat(e.getString("endpoint")).isEqualTo("127.0.0.2:" + clientPort);
            assertThat(e.getString("reason")).isEqualTo("not_allowed");
            assertThat(e.getEventType().getCategoryNames()).containsExactly("netkit");
        });
    }

    @Test
    void aFailedTlsHandshakeIsRecordedWithItsSideAndReason() throws Exception {
        List<RecordedEvent> events;
        int clientPort;
        try (Recording recording = new Recording()) {
            recording.enable("dev.netkit.TlsHandshakeFailed");
            recording.start();
            try (FrameServer server = FrameServer.builder().config(TestServers.loopback()
                            .tls(dev.netkit.netty.tls.TlsConfig.selfSigned()).build())
                    .handler(RequestHandler.echo()).start();
                 RawClient plaintext = new RawClient(server.localAddress())) {
                clientPort = plaintext.socket().getLocalPort();
                plaintext.write(RawClient.frame(1, bytes("plain")));
                assertThat(plaintext.closedByPeerWithin(3_000)).isTrue();
                await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().tlsFailedTotal() == 1);
            }
            recording.stop();
            Path file = dir.resolve("tls.jfr");
            recording.dump(file);
            events = RecordingFile.readAllEvents(file);
        }
        assertThat(named(events, "dev.netkit.TlsHandshakeFailed")).singleElement().satisfies(e -> {
            assertThat(e.getString("endpoint")).isEqualTo("127.0.0.1:" + clientPort);
            assertThat(e.getString("side")).isEqualTo("SERVER");
            assertThat(e.getString("reason")).isEqualTo("not_tls");
            assertThat(e.getString("detail")).contains("not an SSL/TLS record");
        });
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }

    /** A dead endpoint next to a live one: refused connects eject it (5 in a row by default). */
    private static void ejectADeadEndpoint(int dead) throws Exception {
        try (FrameServer live = FrameServer.builder().config(TestServers.loopback().build()).handler(RequestHandler.echo()).start();
             Broker broker = Broker.create(BrokerConfig.builder()
                     .endpoints("127.0.0.1:" + dead + ",127.0.0.1:" + live.localAddress().getPort()).build())) {
            for (int i = 0; i < 50; i++) {
                assertThat(broker.call(bytes("r" + i))).isEqualTo(bytes("r" + i));
            }
            assertThat(broker.balancerStats().endpoints().getFirst().status().name()).isEqualTo("EJECTED");
        }
    }

    /** A breaker that opens after 2 calls at 50 % failures, outlier detection off. */
    private static void openABreaker(int dead) {
        BalancerConfig balancing = BalancerConfig.defaults()
                .withOutlier(OutlierConfig.disabled())
                .withBreaker(BreakerConfig.builder().countWindow(4).minimumCalls(2).failureRateThreshold(0.5).build());
        try (Broker broker = Broker.create(BrokerConfig.builder().endpoints("127.0.0.1:" + dead)
                .retry(RetryPolicy.none()).balancer(balancing).build())) {
            for (int i = 0; i < 2; i++) {
                try {
                    broker.call(bytes("r" + i));
                } catch (NetkitException expected) {
                    assertThat(expected.kind()).isEqualTo(ErrorKind.CONNECTION_LOST);
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    broker.balancerStats().endpoints().getFirst().breaker().equals("OPEN"));
        }
    }

    /**
     * One connection carrying one request, no waiting room: a second request exhausts the pool.
     * The first is held 5 ms or more: a slow request at a 5 ms threshold. A raw connection beyond
     * the server's one allowed connection is refused.
     */
    private static void exhaustAPoolWithASlowRequestAndRefuseAConnection() throws Exception {
        HeldRequests held = new HeldRequests();
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().maxConnections(1).build())
                     .asyncHandler(held).start();
             Broker broker = Broker.create(BrokerConfig.builder().endpoints("127.0.0.1:" + server.localAddress().getPort())
                     .connectionsPerEndpoint(1, 1).maxInFlightPerConnection(1).maxPendingRequests(0).build(),
                     BrokerHooks.builder().slowRequestThreshold(Duration.ofMillis(5)).build())) {
            // minIdle 1 opens the connection at start (connectAll's acquire would find no waiting room)
            await().atMost(Duration.ofSeconds(5)).until(() -> broker.poolStats().getFirst().idle() == 1);
            long sentAt = System.nanoTime();
            CompletableFuture<byte[]> first = broker.send(bytes("slow"));
            HeldRequests.Held request = held.next();
            assertThat(failureOf(broker.send(bytes("no room")))).isInstanceOfSatisfying(NetkitException.class,
                    e -> assertThat(e.kind()).isEqualTo(ErrorKind.QUEUE_FULL));
            try (RawClient refused = new RawClient(server.localAddress())) {
                assertThat(refused.closedByPeerWithin(3_000)).isTrue();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() - sentAt > TimeUnit.MILLISECONDS.toNanos(6));
            request.echo();
            assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(bytes("slow"));
        }
    }
}
