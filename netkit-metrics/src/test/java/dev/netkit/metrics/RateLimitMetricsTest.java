package dev.netkit.metrics;

import static dev.netkit.netty.testing.RawClient.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.qos.QosClass;
import dev.netkit.core.qos.QosPolicy;
import dev.netkit.metrics.testing.PromText;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerConfig;
import dev.netkit.netty.client.RequestOptions;
import dev.netkit.netty.client.SendLimit;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.server.ServerLimits;
import dev.netkit.netty.testing.HeldRequests;
import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.TestServers;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Throttling and rate-limit refusals show in the server's and the broker's meters. */
class RateLimitMetricsTest {
    @Test
    void serverThrottlingIsMetered() throws Exception {
        PrometheusMeterRegistry registry = NetkitMetrics.prometheusRegistry();
        ServerLimits limits = ServerLimits.none().withRequestsPerConnection(5, 2);
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().limits(limits).build())
                .handler(RequestHandler.echo()).start();
             ServerMetrics meters = NetkitMetrics.bind(registry, server);
             RawClient client = new RawClient(server.localAddress(), 10_000)) {
            for (int i = 1; i <= 5; i++) { // 2 pass at once, 3 wait 200 ms each
                client.write(frame(i, new byte[] {1}));
                client.readFrame();
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                PromText scrape = PromText.parse(registry.scrape());
                assertThat(scrape.value("netkit_server_throttled_reads_total").orElseThrow()).isGreaterThanOrEqualTo(3);
                assertThat(scrape.value("netkit_server_throttled_seconds_total").orElseThrow()).isGreaterThan(0);
                assertThat(scrape.value("netkit_server_rate_limited_total")).hasValue(0);
            });
        } finally {
            registry.close();
        }
    }

    @Test
    void brokerSendLimitIsMetered() throws Exception {
        PrometheusMeterRegistry registry = NetkitMetrics.prometheusRegistry();
        try (FrameServer server = TestServers.echo();
             Broker broker = Broker.create(BrokerConfig.builder().endpoints("127.0.0.1:" + server.localAddress().getPort())
                     .sendLimit(SendLimit.requestsPerSecond(5, 1)).build());
             BrokerMetrics meters = BrokerMetrics.create(registry).bind(broker)) {
            List<CompletableFuture<byte[]>> all = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                all.add(broker.send(new byte[] {1}));
            }
            all.forEach(CompletableFuture::join);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                PromText scrape = PromText.parse(registry.scrape());
                assertThat(scrape.value("netkit_broker_throttled_total")).hasValue(3);
                assertThat(scrape.value("netkit_broker_throttled_seconds_total").orElseThrow()).isGreaterThan(0.5); // 200 + 400 + 600 ms
                assertThat(scrape.value("netkit_broker_rate_limited_total")).hasValue(0);
            });
        } finally {
            registry.close();
        }
    }

    @Test
    void theWaitingLineByClassIsMetered() throws Exception {
        PrometheusMeterRegistry registry = NetkitMetrics.prometheusRegistry();
        QosPolicy qos = new QosPolicy(List.of(new QosClass("gold", 3, 10), new QosClass("bronze", 1, 1)), "bronze", null, 8);
        HeldRequests held = new HeldRequests();
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().build()).asyncHandler(held).start();
             Broker broker = Broker.create(BrokerConfig.builder().endpoints("127.0.0.1:" + server.localAddress().getPort())
                     .connectionsPerEndpoint(1).maxInFlightPerConnection(1).qos(qos).build());
             BrokerMetrics meters = BrokerMetrics.create(registry).bind(broker)) {
            List<CompletableFuture<byte[]>> all = new ArrayList<>();
            all.add(broker.send(new byte[] {0}));
            HeldRequests.Held busy = held.next(); // the one connection is leased: the rest wait by class
            all.add(broker.send(new byte[] {1}, RequestOptions.defaults().withQosClass("gold")));
            all.add(broker.send(new byte[] {2}, RequestOptions.defaults().withQosClass("gold")));
            all.add(broker.send(new byte[] {3}, RequestOptions.defaults().withQosClass("bronze")));
            CompletableFuture<byte[]> refused = broker.send(new byte[] {4}, RequestOptions.defaults().withQosClass("bronze"));
            String endpoint = "127.0.0.1:" + server.localAddress().getPort();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                PromText scrape = PromText.parse(registry.scrape());
                assertThat(scrape.value("netkit_pool_qos_waiting", "endpoint", endpoint, "class", "gold")).hasValue(2);
                assertThat(scrape.value("netkit_pool_qos_waiting", "endpoint", endpoint, "class", "bronze")).hasValue(1);
                assertThat(scrape.value("netkit_pool_qos_refused_total", "endpoint", endpoint, "class", "bronze")).hasValue(1);
                assertThat(scrape.value("netkit_pool_qos_refused_total", "endpoint", endpoint, "class", "gold")).hasValue(0);
            });
            assertThat(refused).isCompletedExceptionally();
            busy.echo();
            for (int i = 1; i < all.size(); i++) {
                held.next().echo();
            }
            all.forEach(CompletableFuture::join);
        } finally {
            registry.close();
        }
    }
}
