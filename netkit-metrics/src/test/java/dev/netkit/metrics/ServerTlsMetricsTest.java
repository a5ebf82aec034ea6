package dev.netkit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.metrics.testing.PromText;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerConfig;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.TestServers;
import dev.netkit.netty.tls.TlsConfig;
import dev.netkit.netty.tls.TlsFailure;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** TLS handshakes and failures by reason show in the server's meters. */
class ServerTlsMetricsTest {
    @Test
    void handshakesAndFailuresAreCountedByReason() throws Exception {
        PrometheusMeterRegistry registry = NetkitMetrics.prometheusRegistry();
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().tls(TlsConfig.selfSigned()).build())
                .handler(RequestHandler.echo()).start();
             ServerMetrics meters = NetkitMetrics.bind(registry, server);
             Broker client = Broker.create(BrokerConfig.builder().endpoints("127.0.0.1:" + server.localAddress().getPort())
                     .tls(TlsConfig.pinned(server.tlsFingerprint().orElseThrow())).build())) {
            assertThat(client.call("hi".getBytes(StandardCharsets.US_ASCII))).isEqualTo("hi".getBytes(StandardCharsets.US_ASCII));
            try (RawClient plaintext = new RawClient(server.localAddress())) {
                plaintext.write(RawClient.frame(1, "plain".getBytes(StandardCharsets.US_ASCII)));
                assertThat(plaintext.closedByPeerWithin(3_000)).isTrue();
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> { // the meters read a snapshot at most a second old
                PromText scrape = PromText.parse(registry.scrape());
                assertThat(scrape.value("netkit_server_tls_handshakes_total")).hasValue(1);
                assertThat(scrape.value("netkit_server_tls_failures_total", "reason", "not_tls")).hasValue(1);
                assertThat(scrape.value("netkit_server_tls_failures_total", "reason", "handshake_timeout")).hasValue(0);
                assertThat(scrape.find("netkit_server_tls_failures_total")).hasSize(TlsFailure.values().length);
                assertThat(scrape.value("netkit_server_tls_reloads_total")).hasValue(0);
            });
        } finally {
            registry.close();
        }
    }
}
