package dev.netkit.netty.client;

import static dev.netkit.netty.testing.Futures.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.error.ClosedException;
import dev.netkit.core.error.ConnectionLostException;
import dev.netkit.core.pool.EndpointDownException;
import dev.netkit.core.error.ErrorKind;
import dev.netkit.core.error.FrameTooLargeException;
import dev.netkit.core.error.NetkitException;
import dev.netkit.core.error.NoEndpointsException;
import dev.netkit.core.error.ProtocolViolationException;
import dev.netkit.core.error.QueueFullException;
import dev.netkit.core.error.RequestTimeoutException;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.HeldRequests;
import dev.netkit.netty.testing.ScriptedPeer;
import dev.netkit.netty.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Broker behaviour against real servers and scripted peers on loopback. */
class BrokerTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static BrokerConfig.Builder to(String endpoints) {
        return BrokerConfig.builder().endpoints(endpoints).ioThreads(1);
    }

    private static FrameServer echoServer() {
        return FrameServer.builder().config(TestServers.loopback().build()).handler(RequestHandler.echo()).start();
    }

    @Test
    void manyConcurrentRequestsEachGetTheirOwnResponse() throws Exception {
        try (FrameServer server = echoServer();
             Broker broker = Broker.create(to("127.0.0.1:" + server.localAddress().getPort())
                     .connectionsPerEndpoint(3).maxInFlightPerConnection(64).build())) {
            List<byte[]> payloads = new ArrayList<>();
            List<CompletableFuture<byte[]>> replies = new ArrayList<>();
            for (int round = 0; round < 50; round++) {
                List<CompletableFuture<byte[]>> batch = new ArrayList<>();
                for (int i = 0; i < 150; i++) {
                    byte[] p = bytes("request-" + round + "-" + i);
                    payloads.add(p);
                    batch.add(broker.send(p));
                }
                CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
                replies.addAll(batch);
            }
            for (int i = 0; i < payloads.size(); i++) {
                assertThat(replies.get(i).join()).as("reply %d", i).isEqualTo(payloads.get(i));
            }
            assertThat(broker.stats().responses()).isEqualTo(7_500);
            assertThat(broker.inFlight()).isZero();
            assertThat(broker.call(bytes("blocking"))).isEqualTo(bytes("blocking"));
        }
    }

    @Test
    void fullConnectionsQueueUpToMaxPendingThenRejectAtOnceWithQueueFull() throws Exception {
        RequestHandler silent = (request, alloc) -> null;
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().build()).handler(silent).start();
             Broker broker = Broker.create(to("127.0.0.1:" + server.localAddress().getPort())
                     .maxInFlightPerConnection(4).maxPendingRequests(1).build())) {
            broker.connectAll().get(5, TimeUnit.SECONDS);
            for (int i = 0; i < 4; i++) {
                assertThat(broker.send(bytes("r" + i))).isNotDone();
            }
            CompletableFuture<byte[]> waiting = broker.send(bytes("r4"), Duration.ofMillis(200));
            assertThat(waiting).as("waits in the pool for a slot").isNotDone();
            CompletableFuture<byte[]> sixth = broker.send(bytes("r5"));
            assertThat(sixth).isCompletedExceptionally();
            assertThat(failureOf(sixth)).isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("maxPending 1").hasMessageContaining("waiting=1").hasMessageContaining("in_flight=4");
            assertThat(broker.stats().rejected()).isEqualTo(1);
            assertThat(failureOf(waiting)).as("its deadline ends the wait").isInstanceOf(RequestTimeoutException.class)
                    .hasMessageContaining("no connection to 127.0.0.1");
            assertThat(broker.inFlight()).isEqualTo(4);
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOutAndFreesTheSlots() throws Exception {
        RequestHandler silent = (request, alloc) -> null;
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().build()).handler(silent).start();
             Broker broker = Broker.create(to("127.0.0.1:" + server.localAddress().getPort())
                     .maxInFlightPerConnection(2).requestTimeout(Duration.ofMillis(150)).build())) {
            CompletableFuture<byte[]> a = broker.send(bytes("a"));
            CompletableFuture<byte[]> b = broker.send(bytes("b"));
            assertThat(failureOf(a)).isInstanceOf(RequestTimeoutException.class).hasMessageContaining("127.0.0.1");
            assertThat(failureOf(b)).isInstanceOf(RequestTimeoutException.class);
            assertThat(broker.inFlight()).isZero();
            CompletableFuture<byte[]> c = broker.send(bytes("c"), Duration.ofMillis(100));
            CompletableFuture<byte[]> d = broker.send(bytes("d"), Duration.ofMillis(100));
            assertThat(failureOf(c)).isInstanceOf(RequestTimeoutException.class);
            assertThat(failureOf(d)).isInstanceOf(RequestTimeoutException.class);
            assertThat(broker.stats().timeouts()).isEqualTo(4);
            assertThat(broker.stats().openConnections()).as("timeouts do not close the connection").isEqualTo(1);
        }
    }

    @Test
    void cancellingFreesTheSlotAndALateResponseIsDiscarded() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer();
             Broker broker = Broker.create(to(peer.endpoint()).maxInFlightPerConnection(1).build())) {
            CompletableFuture<byte[]> first = broker.send(bytes("first"));
            peer.accept();
            ScriptedPeer.Request r1 = peer.read();
            assertThat(first.cancel(false)).isTrue();
            await().atMost(Duration.ofSeconds(3)).until(() -> broker.inFlight() == 0);

            CompletableFuture<byte[]> second = broker.send(bytes("second"));
            ScriptedPeer.Request r2 = peer.read();
            peer.reply(r1.id(), bytes("late answer to first"));
            peer.reply(r2.id(), bytes("answer to second"));
            assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo(bytes("answer to second"));
            assertThat(broker.stats().lateResponses()).isEqualTo(1);
            assertThat(broker.stats().protocolViolations()).isZero();
        }
    }

    @Test
    void outOfOrderResponsesReachTheirOwnCallers() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer();
             Broker broker = Broker.create(to(peer.endpoint()).build())) {
            List<CompletableFuture<byte[]>> replies = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                replies.add(broker.send(bytes("q" + i)));
            }
            peer.accept();
            List<ScriptedPeer.Request> requests = List.of(peer.read(), peer.read(), peer.read());
            for (int i = 2; i >= 0; i--) {
                ScriptedPeer.Request r = requests.get(i);
                peer.reply(r.id(), bytes("answer-to-" + new String(r.payload(), StandardCharsets.US_ASCII)));
            }
            for (int i = 0; i < 3; i++) {
                assertThat(replies.get(i).get(5, TimeUnit.SECONDS)).isEqualTo(bytes("answer-to-q" + i));
            }
        }
    }

    @Test
    void aResponseWithAnUnknownIdClosesTheConnectionAndFailsItsRequests() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer();
             Broker broker = Broker.create(to(peer.endpoint()).build())) {
            CompletableFuture<byte[]> a = broker.send(bytes("a"));
            CompletableFuture<byte[]> b = broker.send(bytes("b"));
            peer.accept();
            ScriptedPeer.Request ra = peer.read();
            peer.read();
            peer.reply(ra.id() + 1000, bytes("who asked?"));
            for (CompletableFuture<byte[]> f : List.of(a, b)) {
                assertThat(failureOf(f)).isInstanceOf(ProtocolViolationException.class)
                        .hasMessageContaining("unknown correlation id").hasMessageContaining(peer.endpoint());
            }
            assertThat(broker.stats().protocolViolations()).isEqualTo(1);
            assertThat(broker.inFlight()).isZero();
        }
    }

    @Test
    void aResponseWithLengthBelowFourIsAProtocolViolation() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer();
             Broker broker = Broker.create(to(peer.endpoint()).build())) {
            CompletableFuture<byte[]> a = broker.send(bytes("a"));
            peer.accept();
            peer.read();
            peer.writeRaw(new byte[] {0, 2, 0, 0});
            assertThat(failureOf(a)).isInstanceOf(ProtocolViolationException.class).hasMessageContaining("below the minimum");
        }
    }

    @Test
    void aServerKilledWithRequestsInFlightFailsEveryOneWithConnectionLost() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer();
             Broker broker = Broker.create(to(peer.endpoint()).requestTimeout(Duration.ofSeconds(30)).build())) {
            List<CompletableFuture<byte[]>> replies = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                replies.add(broker.send(bytes("r" + i)));
            }
            peer.accept();
            for (int i = 0; i < 10; i++) {
                peer.read();
            }
            peer.kill();
            for (CompletableFuture<byte[]> f : replies) {
                assertThat(failureOf(f)).isInstanceOf(ConnectionLostException.class).hasMessageContaining(peer.endpoint());
            }
            assertThat(broker.inFlight()).isZero();
            assertThat(broker.stats().connectionFailures()).isEqualTo(10);
        }
    }

    @Test
    void aRealServerStoppedMidFlightFailsPendingRequestsWithinTheirDeadline() throws Exception {
        HeldRequests held = new HeldRequests();
        FrameServer server = FrameServer.builder()
                .config(TestServers.loopback().shutdownTimeout(Duration.ZERO).build()).asyncHandler(held).start();
        try (Broker broker = Broker.create(to("127.0.0.1:" + server.localAddress().getPort()).build())) {
            CompletableFuture<byte[]> pending = broker.send(bytes("x"));
            HeldRequests.Held stuck = held.next();
            server.stop();
            Throwable error = failureOf(pending);
            stuck.echo(); // a handler finishing after the stop: its buffers are still released
            assertThat(error).isInstanceOf(NetkitException.class);
            assertThat(((NetkitException) error).kind()).isEqualTo(ErrorKind.CONNECTION_LOST);
        }
    }

    @Test
    void nothingListeningFailsFastThenBacksOffNamingTheEndpoint() throws Exception {
        int port;
        try (ScriptedPeer closed = new ScriptedPeer()) {
            port = closed.port();
        }
        try (Broker broker = Broker.create(to("127.0.0.1:" + port).build())) {
            assertThat(failureOf(broker.send(bytes("a")))).isInstanceOf(ConnectionLostException.class)
                    .hasMessageContaining("could not connect to 127.0.0.1:" + port);
            CompletableFuture<byte[]> during = broker.send(bytes("b"));
            assertThat(during).isCompletedExceptionally();
            assertThat(failureOf(during)).isInstanceOf(EndpointDownException.class) // the only endpoint: nowhere to fail over
                    .hasMessageContaining("127.0.0.1:" + port).hasMessageContaining("next dial in");
            assertThatThrownBy(() -> broker.connectAll().get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(NetkitException.class);
        }
    }

    @Test
    void reconnectsAfterTheServerComesBack() throws Exception {
        FrameServer server = echoServer();
        int port = server.localAddress().getPort();
        try (Broker broker = Broker.create(to("127.0.0.1:" + port).reconnectBackoffMax(Duration.ofMillis(100)).build())) {
            assertThat(broker.call(bytes("before"))).isEqualTo(bytes("before"));
            server.stop();
            await().atMost(Duration.ofSeconds(5)).until(() -> broker.stats().openConnections() == 0);
            server = FrameServer.builder().config(TestServers.loopback().port(port).build()).handler(RequestHandler.echo()).start();
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> Arrays.equals(broker.call(bytes("after")), bytes("after")));
        } finally {
            server.stop();
        }
    }

    @Test
    void oversizedPayloadIsRejectedBeforeAnythingIsWrittenAndTheLargestOneWorks() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer();
             Broker broker = Broker.create(to(peer.endpoint()).build())) {
            CompletableFuture<byte[]> tooBig = broker.send(new byte[65_532]);
            assertThat(failureOf(tooBig)).isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
                assertThat(e.size()).isEqualTo(65_532);
                assertThat(e.limit()).isEqualTo(65_531);
                assertThat(e).hasMessage("payload of 65532 bytes exceeds the frame limit of 65531 bytes");
            });
            CompletableFuture<byte[]> max = broker.send(new byte[65_531]);
            peer.accept();
            ScriptedPeer.Request r = peer.read();
            assertThat(r.payload()).hasSize(65_531);
            assertThat(peer.receivesAnythingWithin(200)).as("the oversized request never reached the wire").isFalse();
            peer.reply(r.id(), new byte[65_531]);
            assertThat(max.get(5, TimeUnit.SECONDS)).hasSize(65_531);
        }
    }

    @Test
    void closeWaitsForInFlightRequestsAndFailsTheRestAfterItsTimeout() throws Exception {
        HeldRequests held = new HeldRequests();
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().build()).asyncHandler(held).start()) {
            String endpoint = "127.0.0.1:" + server.localAddress().getPort();
            Broker drained = Broker.create(to(endpoint).build());
            CompletableFuture<byte[]> answered = drained.send(bytes("answered"));
            HeldRequests.Held h = held.next();
            CompletableFuture<Void> closing = drained.closeAsync();
            assertThat(failureOf(drained.send(bytes("after close")))).isInstanceOf(ClosedException.class);
            h.echo();
            assertThat(answered.get(5, TimeUnit.SECONDS)).isEqualTo(bytes("answered"));
            closing.get(5, TimeUnit.SECONDS);

            Broker impatient = Broker.create(to(endpoint).closeTimeout(Duration.ofMillis(100)).build());
            CompletableFuture<byte[]> abandoned = impatient.send(bytes("abandoned"));
            HeldRequests.Held late = held.next();
            impatient.close();
            impatient.close(); // idempotent
            assertThat(failureOf(abandoned)).isInstanceOf(ClosedException.class).hasMessageContaining("closeTimeout");
            late.echo(); // the server still answers; the broker is gone, so the answer is dropped
        }
    }

    @Test
    void configRejectsBadValuesNamingFieldAndValue() {
        assertThatThrownBy(() -> BrokerConfig.builder().build()).isInstanceOf(NoEndpointsException.class)
                .hasMessageContaining("endpoints");
        assertThatThrownBy(() -> to("127.0.0.1:1").maxInFlightPerConnection(0).build())
                .hasMessage("maxInFlightPerConnection: 0 (expected: 1..65536)");
        assertThatThrownBy(() -> to("127.0.0.1:1").requestTimeout(Duration.ZERO).build())
                .hasMessage("requestTimeout: PT0S (expected: > 0)");
        assertThatThrownBy(() -> to("nohost").build()).hasMessageContaining("expected host:port");
        assertThatThrownBy(() -> to("h:99999").build()).hasMessageContaining("port: 99999");
    }
}
