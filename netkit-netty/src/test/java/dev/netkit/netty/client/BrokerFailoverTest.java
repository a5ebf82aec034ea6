package dev.netkit.netty.client;

import static dev.netkit.netty.testing.Futures.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.balance.BalancerConfig;
import dev.netkit.core.balance.EndpointStats;
import dev.netkit.core.balance.EndpointStatus;
import dev.netkit.core.balance.OutlierConfig;
import dev.netkit.core.balance.Strategy;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.ConnectionLostException;
import dev.netkit.core.error.ErrorKind;
import dev.netkit.core.error.NetkitException;
import dev.netkit.core.health.HealthCheckConfig;
import dev.netkit.core.retry.RetryPolicy;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.ScriptedPeer;
import dev.netkit.netty.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The broker on its load balancer, on loopback: safe retries on another endpoint, no retry of a
 * written request unless idempotent, ejection of a dead endpoint, and its return after a restart.
 */
class BrokerFailoverTest {


    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }


    @Test
    void requestsToADeadEndpointAreRetriedElsewhereAndNoneFail() throws Exception {
        int dead = TestServers.deadPort();
        try (FrameServer live = TestServers.echo();
             Broker broker = Broker.create(BrokerConfig.builder()
                     .endpoints("127.0.0.1:" + dead + ",127.0.0.1:" + live.localAddress().getPort())
                     .build())) {
            for (int i = 0; i < 200; i++) {
                assertThat(broker.call(bytes("r" + i))).isEqualTo(bytes("r" + i));
            }
            assertThat(live.stats().requests()).isEqualTo(200);
            assertThat(broker.stats().retries()).isPositive();
            EndpointStats deadStats = broker.balancerStats().endpoints().get(0);
            assertThat(deadStats.status()).isEqualTo(EndpointStatus.EJECTED); // 5 refused connects in a row
            assertThat(deadStats.successes()).isZero();
            assertThat(deadStats.failures()).isGreaterThanOrEqualTo(5);
        }
    }

    @Test
    void withoutRetriesTheDeadEndpointsRequestsFailUntilItIsEjected() throws Exception {
        int dead = TestServers.deadPort();
        try (FrameServer live = TestServers.echo();
             Broker broker = Broker.create(BrokerConfig.builder()
                     .endpoints("127.0.0.1:" + dead + ",127.0.0.1:" + live.localAddress().getPort())
                     .retry(RetryPolicy.none())
                     .build())) {
            int failed = 0;
            for (int i = 0; i < 100; i++) {
                try {
                    broker.call(bytes("r" + i));
                } catch (ConnectionLostException e) {
                    failed++;
                    assertThat(e.getMessage()).contains("127.0.0.1:" + dead);
                }
            }
            assertThat(failed).isEqualTo(5); // exactly the consecutive failures that eject it
            assertThat(broker.stats().retries()).isZero();
        }
    }

    /** A peer that reads one request and closes: the request was written, so it may have been acted on. */
    private static void sendToAPeerThatDropsIt(RequestOptions options, boolean idempotentExpectedToSucceed)
            throws Exception {
        try (ScriptedPeer dropper = new ScriptedPeer(); FrameServer live = TestServers.echo();
             Broker broker = Broker.create(BrokerConfig.builder()
                     .weightedEndpoints(List.of(
                             dev.netkit.core.balance.WeightedEndpoint.of(Endpoint.parse(dropper.endpoint())),
                             dev.netkit.core.balance.WeightedEndpoint.of(new Endpoint("127.0.0.1", live.localAddress().getPort()))))
                     .build())) {
            CompletableFuture<byte[]> reply = broker.send(bytes("once"), options); // round robin: the dropper first
            dropper.accept();
            assertThat(dropper.read().payload()).isEqualTo(bytes("once"));
            dropper.kill();
            if (idempotentExpectedToSucceed) {
                assertThat(reply.get(5, TimeUnit.SECONDS)).isEqualTo(bytes("once"));
                assertThat(live.stats().requests()).isEqualTo(1);
                assertThat(broker.stats().retries()).isEqualTo(1);
            } else {
                Throwable error = failureOf(reply);
                assertThat(((NetkitException) error).kind()).isEqualTo(ErrorKind.CONNECTION_LOST);
                assertThat(live.stats().requests()).isZero();
                assertThat(broker.stats().retries()).isZero();
            }

        }
    }

    @Test
    void aWrittenRequestIsNotRetriedUnlessIdempotent() throws Exception {
        sendToAPeerThatDropsIt(RequestOptions.defaults(), false);
        sendToAPeerThatDropsIt(RequestOptions.defaults().asIdempotent(), true);
    }

    @Test
    void aKilledBackendIsEjectedAndReturnsAfterItsRestartThroughTheHealthCheck() throws Exception {
        FrameServer a = TestServers.echo();
        FrameServer b = TestServers.echo();
        FrameServer c = TestServers.echo();
        int portC = c.localAddress().getPort();
        List<FrameServer> servers = new ArrayList<>(List.of(a, b, c));
        HealthCheckConfig health = HealthCheckConfig.builder().interval(Duration.ofMillis(100)).timeout(Duration.ofMillis(500))
                .healthyThreshold(1).unhealthyThreshold(2).build();
        BalancerConfig balancing = BalancerConfig.defaults().withStrategy(Strategy.LEAST_OUTSTANDING)
                .withOutlier(OutlierConfig.defaults().withEjection(Duration.ofSeconds(30), Duration.ofSeconds(300)));
        try (Broker broker = Broker.create(BrokerConfig.builder()
                .endpoints("127.0.0.1:" + a.localAddress().getPort() + ",127.0.0.1:" + b.localAddress().getPort() + ",127.0.0.1:" + portC)
                .balancer(balancing)
                .healthCheck(health, bytes("ping"))
                .build())) {
            for (int i = 0; i < 60; i++) {
                assertThat(broker.call(bytes("warm" + i))).isEqualTo(bytes("warm" + i));
            }
            c.stop();
            servers.remove(c);
            // Every request still succeeds: failures on the stopped backend are retried on the others.
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                assertThat(broker.call(bytes("during"))).isEqualTo(bytes("during"));
                EndpointStatus status = broker.balancerStats().endpoints().get(2).status();
                return status == EndpointStatus.EJECTED || status == EndpointStatus.UNHEALTHY;
            });
            FrameServer restarted = FrameServer.builder().config(TestServers.loopback().port(portC).build())
                    .handler(RequestHandler.echo()).start();
            servers.add(restarted);
            // The health check passes again: back in service long before the 30 s ejection would end.
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                broker.call(bytes("after"));
                return broker.balancerStats().endpoints().get(2).status() == EndpointStatus.HEALTHY
                        && restarted.stats().requests() > 0;
            });
        } finally {
            servers.forEach(FrameServer::stop);
        }
    }

    @Test
    void aCallerThatCompletesItsOwnFutureStopsTheRetries() throws Exception {
        try (ScriptedPeer dropper = new ScriptedPeer(); FrameServer live = TestServers.echo();
             Broker broker = Broker.create(BrokerConfig.builder()
                     .weightedEndpoints(List.of(
                             dev.netkit.core.balance.WeightedEndpoint.of(Endpoint.parse(dropper.endpoint())),
                             dev.netkit.core.balance.WeightedEndpoint.of(new Endpoint("127.0.0.1", live.localAddress().getPort()))))
                     .build())) {
            CompletableFuture<byte[]> reply = broker.send(bytes("once"), RequestOptions.defaults().asIdempotent());
            dropper.accept();
            dropper.read();
            reply.complete(bytes("the caller's own answer")); // e.g. completeOnTimeout
            dropper.kill(); // the attempt fails after all: idempotent, yet nobody waits for a retry
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> broker.balancerStats().endpoints().get(0).failures() == 1);
            assertThat(broker.stats().retries()).isZero();
            assertThat(live.stats().requests()).isZero();
            assertThat(reply.join()).isEqualTo(bytes("the caller's own answer"));
            assertThat(broker.balancerStats().endpoints()).extracting(EndpointStats::outstanding).containsOnly(0);
        }
    }
}
