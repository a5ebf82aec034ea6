package dev.netkit.netty.client;

import static dev.netkit.netty.testing.Futures.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.balance.BalancerConfig;
import dev.netkit.core.breaker.BreakerConfig;
import dev.netkit.core.error.ClosedException;
import dev.netkit.core.error.ErrorKind;
import dev.netkit.core.error.NetkitException;
import dev.netkit.core.error.RequestTimeoutException;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.GatedDns;
import dev.netkit.netty.testing.HeldRequests;
import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.ScriptedPeer;
import dev.netkit.netty.testing.TestServers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Regressions found in review: deadlines while connecting, late answers, misuse from I/O threads. */
class BrokerRobustnessTest {

    @Test
    void aRequestWaitingForTheConnectStillHonoursItsDeadline() throws Exception {
        List<Socket> backlog = new ArrayList<>();
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // Fill the accept queue (never accepted) until a connect hangs: further SYNs are dropped.
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            boolean hanging = false;
            for (int i = 0; i < 20 && !hanging; i++) {
                Socket s = new Socket();
                backlog.add(s);
                try {
                    s.connect(address, 300);
                } catch (SocketTimeoutException e) {
                    hanging = true;
                }
            }
            assertThat(hanging).as("the accept queue filled up").isTrue();
            try (Broker broker = Broker.create(BrokerConfig.builder().endpoints("127.0.0.1:" + listener.getLocalPort())
                    .connectTimeout(Duration.ofSeconds(5)).closeTimeout(Duration.ZERO).build())) {
                long start = System.nanoTime();
                Throwable error = failureOf(broker.send(new byte[] {1}, Duration.ofMillis(200)));
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(error).isInstanceOf(RequestTimeoutException.class).hasMessageContaining("no connection to")
                        .hasMessageContaining("dialing=1");
                assertThat(ms).as("the 200 ms deadline, not the 5 s connect timeout, ended it").isLessThan(3_000);
                assertThat(broker.inFlight()).isZero();
            }
        } finally {
            for (Socket s : backlog) {
                s.close();
            }
        }
    }

    @Test
    void lateAnswersBeyondTheAbandonedIdMemoryAreDiscardedNotViolations() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer();
             Broker broker = Broker.create(BrokerConfig.builder().endpoints(peer.endpoint())
                     // 70 timeouts in a row would open the breaker and fail the rest fast: not the subject here
                     .balancer(BalancerConfig.defaults().withBreaker(BreakerConfig.disabled()))
                     .maxInFlightPerConnection(1).closeTimeout(Duration.ZERO).build())) {
            List<ScriptedPeer.Request> unanswered = new ArrayList<>();
            for (int i = 0; i < 70; i++) { // 70 > the 64 abandoned ids remembered at maxInFlight 1
                byte[] p = {(byte) i};
                CompletableFuture<byte[]> f = await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2)).atMost(Duration.ofSeconds(5))
                        .until(() -> broker.send(p, Duration.ofMillis(20)), future -> !future.isCompletedExceptionally());
                if (i == 0) {
                    peer.accept();
                }
                unanswered.add(peer.read());
                assertThat(failureOf(f)).isInstanceOf(RequestTimeoutException.class);
            }
            CompletableFuture<byte[]> live = broker.send(new byte[] {99}, Duration.ofSeconds(5));
            ScriptedPeer.Request request = peer.read();
            peer.reply(unanswered.get(0).id(), unanswered.get(0).payload()); // the server recovers
            peer.reply(request.id(), request.payload());
            assertThat(live.get(5, TimeUnit.SECONDS)).containsExactly(99);
            assertThat(broker.stats().protocolViolations()).isZero();
            assertThat(broker.stats().lateResponses()).isEqualTo(1);
        }
    }

    @Test
    void waitingInTheBrokersOwnQueueIsNotTheEndpointsSlownessAndOpensNoBreaker() throws Exception {
        // The server answers one request per 20 ms (shaped reads); 40 requests on one connection with
        // one in flight: the last waits ~0.8 s in the pool's waiting line, each takes ~20 ms once
        // written. A breaker judging the wait as the endpoint's time (200 ms = slow) would open.
        BreakerConfig breaker = BreakerConfig.builder().slowCallDuration(Duration.ofMillis(200)).slowCallRateThreshold(0.5)
                .countWindow(20).minimumCalls(10).build();
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback()
                        .limits(dev.netkit.netty.server.ServerLimits.none().withRequestsPerConnection(50, 1)).build())
                .handler(RequestHandler.echo()).start();
             Broker broker = Broker.create(BrokerConfig.builder().endpoints("127.0.0.1:" + server.localAddress().getPort())
                     .balancer(BalancerConfig.defaults().withBreaker(breaker))
                     .connectionsPerEndpoint(1).maxInFlightPerConnection(1).retry(dev.netkit.core.retry.RetryPolicy.none())
                     .build())) {
            List<CompletableFuture<byte[]>> all = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                all.add(broker.send(new byte[] {(byte) i}, Duration.ofSeconds(20)));
            }
            for (int i = 0; i < 40; i++) {
                assertThat(all.get(i).get(20, TimeUnit.SECONDS)).containsExactly((byte) i);
            }
            assertThat(broker.balancerStats().endpoints().getFirst().breaker()).isEqualTo("CLOSED");
        }
    }

    @Test
    void blockingCallsFromTheBrokersOwnThreadFailInsteadOfDeadlocking() throws Exception {
        HeldRequests held = new HeldRequests(); // answers only once the callbacks are attached
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().build()).asyncHandler(held).start();
             Broker broker = Broker.create(BrokerConfig.builder().endpoints("127.0.0.1:" + server.localAddress().getPort()).build())) {
            CompletableFuture<byte[]> nested = broker.send(new byte[] {1}).thenApply(r -> broker.call(r));
            CompletableFuture<Void> closing = broker.send(new byte[] {2}).thenAccept(r -> broker.close());
            held.next().echo();
            held.next().echo();
            assertThat(failureOf(nested)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("would block the broker's I/O thread");
            assertThat(failureOf(closing)).isInstanceOf(IllegalStateException.class);
            CompletableFuture<byte[]> fine = broker.send(new byte[] {3});
            held.next().echo();
            assertThat(fine.get(5, TimeUnit.SECONDS)).containsExactly(3);
        }
    }

    @Test
    void aServerThatAcceptsAndClosesAtOnceIsBackedOffNotHammered() throws Exception {
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().maxConnections(1).build())
                .handler(RequestHandler.echo()).start();
             RawClient occupant = new RawClient(server.localAddress());
             Broker broker = Broker.create(BrokerConfig.builder().endpoints("127.0.0.1:" + server.localAddress().getPort())
                     .reconnectBackoffMax(Duration.ofSeconds(10)).build())) {
            await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().activeConnections() == 1);
            int failures = 0;
            for (int i = 0; i < 200; i++) {
                try {
                    broker.call(new byte[] {1}, Duration.ofSeconds(2));
                } catch (NetkitException e) {
                    assertThat(e.kind()).isIn(ErrorKind.CONNECTION_LOST, ErrorKind.NO_ENDPOINTS);
                    failures++;
                }
            }
            assertThat(failures).isEqualTo(200);
            assertThat(server.stats().connectionsRejected())
                    .as("reconnects back off (50 ms doubling) instead of one connection per request")
                    .isLessThan(20);
        }
    }

    @Test
    void closeWhileTheHostNameIsStillResolvingFailsWhatWaitsForTheConnect() throws Exception {
        GatedDns.gate = new CountDownLatch(1);
        try {
            Broker broker = Broker.create(BrokerConfig.builder().endpoints(GatedDns.GATED_HOST + ":7070")
                    .closeTimeout(Duration.ofMillis(100)).build());
            CompletableFuture<byte[]> reply = broker.send(new byte[] {1}, Duration.ofSeconds(30));
            CompletableFuture<Void> ready = broker.connectAll();
            await().atMost(Duration.ofSeconds(3)).until(() -> broker.inFlight() >= 1); // waiting for the connection
            broker.close();
            assertThat(failureOf(reply)).isInstanceOf(ClosedException.class).hasMessageContaining("broker closed");
            assertThat(failureOf(ready)).isInstanceOf(ClosedException.class);
            GatedDns.gate.countDown(); // DNS answers after the broker closed: nothing is connected
            assertThat(broker.inFlight()).isZero();
        } finally {
            GatedDns.gate.countDown();
        }
    }
}
