package dev.netkit.metrics;

import static dev.netkit.netty.testing.RawClient.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.metrics.testing.PromText;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerConfig;
import dev.netkit.netty.client.SendLimit;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.server.ServerLimits;
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
}
