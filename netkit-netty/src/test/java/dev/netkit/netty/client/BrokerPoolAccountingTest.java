package dev.netkit.netty.client;

import static dev.netkit.netty.testing.Futures.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.error.ClosedException;
import dev.netkit.core.error.ConnectionLostException;
import dev.netkit.core.error.RequestTimeoutException;
import dev.netkit.core.pool.CloseReason;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.ScriptedPeer;
import dev.netkit.netty.testing.TestServers;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Regression tests from the review of the broker's move onto the connection pool: what a failed
 * validation does to requests sharing the connection, and that pool-level failures and
 * validation pings are counted as what they are.
 */
class BrokerPoolAccountingTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    /**
     * Was: in shared mode (the broker default, 256 leases per connection) the pool leases a
     * connection that is being validated (leaseAvailable() ignores PoolEntry.validating), and a
     * failed validation closes it at once (validated() -> retire(e, VALIDATION, true),
     * ConnectionPool.java:974) through BrokerConnector.close(), whose reason is a ClosedException
     * ("closed by its pool", BrokerConnector.java:192). A live request that merely shared the
     * connection fails with kind CLOSED although the broker is open, and is not counted in
     * connectionFailures (BrokerConnection.failEach skips ClosedException).
     */
    @Test
    void aRequestOnAConnectionThatFailsValidationIsNotFailedAsIfTheBrokerWereClosed() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer();
             Broker broker = Broker.create(BrokerConfig.builder().endpoints(peer.endpoint()).ioThreads(1)
                     .validation(bytes("ping"), Duration.ofMillis(50))
                     .pool(BrokerConfig.defaultPool().toBuilder().minIdle(1).validationInterval(Duration.ofMillis(50))
                             .maintenanceInterval(Duration.ofMillis(50)).validationTimeout(Duration.ofMillis(300)).build())
                     .build())) {
            peer.accept();
            assertThat(text(peer.read().payload())).isEqualTo("ping"); // never answered
            CompletableFuture<byte[]> work = broker.send(bytes("work"), Duration.ofSeconds(10));
            assertThat(text(peer.read().payload())).as("leased onto the connection under validation").isEqualTo("work");
            Throwable failure = failureOf(work); // the validation times out and the pool closes the connection
            await().atMost(Duration.ofSeconds(5)).until(() -> broker.poolStats().get(0).closed(CloseReason.VALIDATION) == 1);
            assertThat(failure).as("the broker is open: the request lost its connection, it was not closed")
                    .isNotInstanceOf(ClosedException.class).isInstanceOf(ConnectionLostException.class);
        }
    }

    /**
     * Was: a request whose deadline ends while it waits in the pool fails with
     * AcquireTimeoutException (a RequestTimeoutException) via Broker.fail(), which never
     * increments counters.timeouts (Broker.java:187-196): BrokerStats.timeouts ("requests failed by
     * their deadline") under-counts.
     */
    @Test
    void aRequestWhoseDeadlineEndsWhileWaitingForAConnectionCountsAsATimeout() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer();
             Broker broker = Broker.create(BrokerConfig.builder().endpoints(peer.endpoint()).ioThreads(1)
                     .maxInFlightPerConnection(1).requestTimeout(Duration.ofSeconds(10)).build())) {
            CompletableFuture<byte[]> holder = broker.send(bytes("a"));
            peer.accept();
            peer.read();
            CompletableFuture<byte[]> waiting = broker.send(bytes("b"), Duration.ofMillis(200));
            assertThat(failureOf(waiting)).isInstanceOf(RequestTimeoutException.class);
            holder.cancel(false); // (no close-timeout wait)
            assertThat(broker.stats().timeouts()).as("the waiting request failed by its deadline").isEqualTo(1);
        }
    }

    /**
     * Was: a request failed because its endpoint cannot be connected to (EndpointDownException, a
     * ConnectionLostException, delivered through the pool's waiter) is not counted in
     * BrokerStats.connectionFailures ("requests failed because their connection was lost or never
     * opened"): Broker.fail() only counts queue-full, and the connection's failAll has no request.
     */
    @Test
    void aRequestFailedBecauseItsConnectionNeverOpenedCountsAsAConnectionFailure() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (Broker broker = Broker.create(BrokerConfig.builder().endpoints("127.0.0.1:" + port).ioThreads(1).build())) {
            CompletableFuture<byte[]> request = broker.send(bytes("x"), Duration.ofSeconds(5));
            assertThat(failureOf(request)).isInstanceOf(ConnectionLostException.class);
            assertThat(broker.stats().connectionFailures()).isEqualTo(1);
        }
    }

    /**
     * Was: PingValidator sends the validation ping as an ordinary PendingRequest, so the
     * connection counts it in BrokerStats.sent / responses (and timeouts / connectionFailures when
     * it fails): with validation on, the request counters grow with no request sent.
     */
    @Test
    void validationPingsAreNotCountedAsRequests() throws Exception {
        AtomicInteger pings = new AtomicInteger();
        RequestHandler countPings = RequestHandler.ofBytes(payload -> {
            pings.incrementAndGet();
            return payload;
        });
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().build()).handler(countPings).start();
             Broker broker = Broker.create(BrokerConfig.builder().endpoints("127.0.0.1:" + server.localAddress().getPort())
                     .ioThreads(1).connectionsPerEndpoint(1).validation(bytes("ping"), Duration.ofMillis(50)).build())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> pings.get() >= 3);
            BrokerStats stats = broker.stats();
            assertThat(stats.sent()).as("no request was sent").isZero();
            assertThat(stats.responses()).isZero();
        }
    }
}
