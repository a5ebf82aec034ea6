package dev.netkit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.ip.IpPolicy;
import dev.netkit.metrics.testing.PromText;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.TestServers;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Connections refused by the client IP policy show in the server's meters, by reason. */
class ServerIpRefusalMetricsTest {
    @Test
    void refusalsAreCountedByReason() throws Exception {
        PrometheusMeterRegistry registry = NetkitMetrics.prometheusRegistry();
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback()
                        .ipPolicy(IpPolicy.builder().deny("127.0.0.2").build()).build())
                .handler(RequestHandler.echo()).start();
             ServerMetrics meters = NetkitMetrics.bind(registry, server)) {
            for (int i = 0; i < 2; i++) {
                try (RawClient denied = RawClient.from("127.0.0.2", server.localAddress())) {
                    assertThat(denied.closedByPeerWithin(3_000)).isTrue();
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().ipRefusedTotal() == 2);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> { // the meters read a snapshot at most a second old
                PromText scrape = PromText.parse(registry.scrape());
                assertThat(scrape.type("netkit_server_ip_refusals_total")).isEqualTo("counter");
                assertThat(scrape.value("netkit_server_ip_refusals_total", "reason", "denied")).hasValue(2);
                assertThat(scrape.value("netkit_server_ip_refusals_total", "reason", "rate_per_ip")).hasValue(0);
                assertThat(scrape.find("netkit_server_ip_refusals_total")).hasSize(5);
            });
        } finally {
            registry.close();
        }
    }
}
