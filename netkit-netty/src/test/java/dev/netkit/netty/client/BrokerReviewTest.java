package dev.netkit.netty.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.balance.BalancerListener;
import dev.netkit.core.balance.WeightedEndpoint;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.retry.RetryPolicy;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.core.balance.EndpointStats;
import dev.netkit.core.balance.EndpointStatus;
import dev.netkit.core.error.RequestTimeoutException;
import dev.netkit.netty.testing.HeldRequests;
import dev.netkit.netty.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Review of issue 4 (i4-review): broker-level bugs; each test fails on the reviewed code. */
class BrokerReviewTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }



    /**
     * closeAsync() drains while inFlight() > 0, but a request whose retry waits out its backoff is
     * in no pool, so inFlight() is 0: the drain ends at once, the pools close, and the retry fails
     * with ClosedException although the live endpoint could answer well within closeTimeout.
     * (Backoff is full jitter in [0, 2 s]; the bug hides only when it falls under a few ms.)
     */
    @Test
    void closeWaitsForARequestWhoseRetryIsInBackoff() throws Exception {
        int dead = TestServers.deadPort();
        RetryPolicy slowRetry = RetryPolicy.builder().backoffBase(Duration.ofSeconds(2)).backoffMax(Duration.ofSeconds(2)).build();
        try (FrameServer live = TestServers.echo()) {
            Broker broker = Broker.create(BrokerConfig.builder()
                    .endpoints("127.0.0.1:" + dead + ",127.0.0.1:" + live.localAddress().getPort())
                    .retry(slowRetry).closeTimeout(Duration.ofSeconds(5)).build());
            CompletableFuture<byte[]> reply = broker.send(bytes("r"), Duration.ofSeconds(10)); // round robin: dead first
            await().atMost(Duration.ofSeconds(5)).until(() -> broker.stats().retries() == 1);
            broker.closeAsync().get(10, TimeUnit.SECONDS);
            assertThat(reply).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(bytes("r"));
        }
    }

    /**
     * An endpoint added back right after its removal (here from the balancer's "removed" event,
     * the tightest interleaving) must get a fresh pool, not the one being closed: otherwise its
     * requests fail with PoolClosedException for ever, counted NOT_COUNTED so it is never ejected.
     */
    @Test
    void anEndpointAddedBackWhileBeingRemovedGetsAnOpenPool() throws Exception {
        try (FrameServer live = TestServers.echo()) {
            Endpoint endpoint = new Endpoint("127.0.0.1", live.localAddress().getPort());
            AtomicReference<Broker> ref = new AtomicReference<>();
            BalancerListener readdOnRemove = new BalancerListener() {
                @Override
                public void membershipChanged(Endpoint e, String change) {
                    if (change.equals("removed")) {
                        ref.get().addEndpoint(WeightedEndpoint.of(e));
                    }
                }
            };
            try (Broker broker = Broker.create(BrokerConfig.builder().weightedEndpoints(List.of(WeightedEndpoint.of(endpoint)))
                    .retry(RetryPolicy.none()).build(), readdOnRemove)) {
                ref.set(broker);
                assertThat(broker.call(bytes("before"))).isEqualTo(bytes("before"));
                assertThat(broker.removeEndpoint(endpoint)).isTrue();
                assertThat(broker.balancerStats().endpoints()).hasSize(1); // added back
                assertThat(broker.send(bytes("after"))).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(bytes("after"));
            }
        }
    }

    /**
     * A request that times out waiting for a pool lease (the client's own connections are full)
     * never reached the endpoint: it must not count against it, or a client-side burst ejects (and
     * trips the breaker of) an endpoint that has not failed a single request.
     */
    @Test
    void waitingForTheClientsOwnPoolIsNotCountedAgainstTheEndpoint() throws Exception {
        HeldRequests held = new HeldRequests();
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().shutdownTimeout(Duration.ZERO).build())
                .asyncHandler(held).start();
             Broker broker = Broker.create(BrokerConfig.builder().endpoints("127.0.0.1:" + server.localAddress().getPort())
                     .connectionsPerEndpoint(1).maxInFlightPerConnection(1).build())) {
            CompletableFuture<byte[]> first = broker.send(bytes("held"), Duration.ofSeconds(10));
            HeldRequests.Held h = held.next(); // the only connection's only slot is taken
            for (int i = 0; i < 5; i++) {
                CompletableFuture<byte[]> queued = broker.send(bytes("q" + i), Duration.ofMillis(30));
                assertThat(queued).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                        .withCauseInstanceOf(RequestTimeoutException.class);
            }
            EndpointStats stats = broker.balancerStats().endpoints().get(0);
            h.echo();
            assertThat(first).succeedsWithin(Duration.ofSeconds(5));
            assertThat(server.stats().requests()).isEqualTo(1);
            assertThat(stats.failures()).as("failures counted against an endpoint that failed nothing").isZero();
            assertThat(stats.status()).isNotEqualTo(EndpointStatus.EJECTED);
        }
    }
}
