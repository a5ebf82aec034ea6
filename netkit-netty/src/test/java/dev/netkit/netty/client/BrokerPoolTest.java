package dev.netkit.netty.client;

import static dev.netkit.netty.testing.Futures.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.error.ProtocolViolationException;
import dev.netkit.core.pool.CloseReason;
import dev.netkit.core.pool.PoolStats;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.ScriptedPeer;
import dev.netkit.netty.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The broker on its connection pools, over real loopback sockets: prewarming, reuse, a peer that
 * closes idle connections, background validation, and close reasons as the pool counts them.
 */
class BrokerPoolTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static PoolStats onlyPool(Broker broker) {
        assertThat(broker.poolStats()).hasSize(1);
        return broker.poolStats().get(0);
    }

    @Test
    void minConnectionsAreOpenedAtCreationAndReusedForEveryRequest() throws Exception {
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().build()).handler(RequestHandler.echo()).start();
             Broker broker = Broker.create(BrokerConfig.builder().endpoints("127.0.0.1:" + server.localAddress().getPort())
                     .connectionsPerEndpoint(3).build())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().activeConnections() == 3);
            for (int i = 0; i < 1_000; i++) {
                assertThat(broker.call(bytes("r" + i))).isEqualTo(bytes("r" + i));
            }
            PoolStats stats = onlyPool(broker);
            assertThat(stats.created()).as("no connection beyond the three").isEqualTo(3);
            assertThat(stats.acquired()).isEqualTo(1_000);
            assertThat(stats.reuseRate()).isGreaterThanOrEqualTo(0.997);
            assertThat(broker.stats().connectionsOpened()).isEqualTo(3);
            assertThat(server.stats().connectionsAccepted()).isEqualTo(3);
        }
    }

    @Test
    void aConnectionTheServerClosedWhileIdleIsRemovedAndNeverLeased() throws Exception {
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().idleTimeout(Duration.ofMillis(200)).build())
                .handler(RequestHandler.echo()).start();
             Broker broker = Broker.create(BrokerConfig.builder().endpoints("127.0.0.1:" + server.localAddress().getPort()).build())) {
            assertThat(broker.call(bytes("first"))).isEqualTo(bytes("first"));
            await().atMost(Duration.ofSeconds(5)).until(() -> onlyPool(broker).closed(CloseReason.PEER_CLOSED) == 1);
            assertThat(onlyPool(broker).total()).as("removed as soon as the close was seen").isZero();
            for (int i = 0; i < 20; i++) {
                assertThat(broker.call(bytes("again" + i))).isEqualTo(bytes("again" + i));
            }
            PoolStats stats = onlyPool(broker);
            assertThat(stats.created()).isEqualTo(2);
            assertThat(broker.stats().connectionFailures()).as("no request ever went to the stale connection").isZero();
            assertThat(server.stats().idleTimeouts()).isEqualTo(1);
        }
    }

    @Test
    void idleConnectionsAreValidatedWithThePingPayload() throws Exception {
        AtomicInteger pings = new AtomicInteger();
        RequestHandler countPings = RequestHandler.ofBytes(payload -> {
            if (new String(payload, StandardCharsets.US_ASCII).equals("ping")) {
                pings.incrementAndGet();
            }
            return payload;
        });
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().build()).handler(countPings).start();
             Broker broker = Broker.create(BrokerConfig.builder().endpoints("127.0.0.1:" + server.localAddress().getPort())
                     .connectionsPerEndpoint(2).validation(bytes("ping"), Duration.ofMillis(50)).build())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> pings.get() >= 4);
            PoolStats stats = onlyPool(broker);
            assertThat(stats.closed(CloseReason.VALIDATION)).isZero();
            assertThat(stats.total()).isEqualTo(2);
            assertThat(broker.call(bytes("work"))).isEqualTo(bytes("work"));
        }
    }

    @Test
    void aPeerThatStopsAnsweringFailsValidationAndIsReplaced() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer();
             Broker broker = Broker.create(BrokerConfig.builder().endpoints(peer.endpoint())
                     .validation(bytes("ping"), Duration.ofMillis(50))
                     .pool(BrokerConfig.defaultPool().toBuilder().minIdle(1).validationInterval(Duration.ofMillis(50))
                             .maintenanceInterval(Duration.ofMillis(50)).validationTimeout(Duration.ofMillis(200)).build())
                     .build())) {
            peer.accept();
            ScriptedPeer.Request ping = peer.read(); // the validation ping, never answered
            assertThat(new String(ping.payload(), StandardCharsets.US_ASCII)).isEqualTo("ping");
            await().atMost(Duration.ofSeconds(5)).until(() -> onlyPool(broker).closed(CloseReason.VALIDATION) == 1);
            peer.accept(); // min idle: a replacement connection arrives
            await().atMost(Duration.ofSeconds(5)).until(() -> onlyPool(broker).created() == 2);
        }
    }

    @Test
    void aProtocolViolationClosesTheConnectionCountedAsAnError() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer();
             Broker broker = Broker.create(BrokerConfig.builder().endpoints(peer.endpoint()).build())) {
            CompletableFuture<byte[]> request = broker.send(bytes("x"));
            peer.accept();
            ScriptedPeer.Request r = peer.read();
            peer.reply(r.id() + 1000, bytes("who?")); // an id never sent
            assertThat(failureOf(request)).isInstanceOf(ProtocolViolationException.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> onlyPool(broker).closed(CloseReason.ERROR) == 1);
            assertThat(onlyPool(broker).total()).isZero();
            assertThat(onlyPool(broker).inFlight()).isZero();
        }
    }

    @Test
    void requestsWaitingForAConnectionAreCountedAndServedInOrder() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer();
             Broker broker = Broker.create(BrokerConfig.builder().endpoints(peer.endpoint()).maxInFlightPerConnection(1).build())) {
            CompletableFuture<byte[]> a = broker.send(bytes("a"));
            CompletableFuture<byte[]> b = broker.send(bytes("b"));
            CompletableFuture<byte[]> c = broker.send(bytes("c"));
            peer.accept();
            for (String expected : new String[] {"a", "b", "c"}) {
                ScriptedPeer.Request r = peer.read();
                assertThat(new String(r.payload(), StandardCharsets.US_ASCII)).isEqualTo(expected);
                assertThat(broker.inFlight()).isEqualTo(3 - (expected.charAt(0) - 'a'));
                peer.reply(r.id(), r.payload());
            }
            assertThat(a.get(5, TimeUnit.SECONDS)).isEqualTo(bytes("a"));
            assertThat(c.get(5, TimeUnit.SECONDS)).isEqualTo(bytes("c"));
            assertThat(b).isCompleted();
            assertThat(onlyPool(broker).acquireWait().count()).isEqualTo(3);
        }
    }
}
