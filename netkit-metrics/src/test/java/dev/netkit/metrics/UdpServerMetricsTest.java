package dev.netkit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.metrics.testing.PromText;
import dev.netkit.netty.udp.DatagramHandler;
import dev.netkit.netty.udp.UdpServer;
import dev.netkit.netty.udp.UdpServerConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A UDP server's packets, bytes, drops by reason and batches show in its meters. */
class UdpServerMetricsTest {
    @Test
    void packetsBytesDropsAndBatchesAreMetered() throws Exception {
        PrometheusMeterRegistry registry = NetkitMetrics.prometheusRegistry();
        UdpServerConfig config = UdpServerConfig.builder().port(0).ioThreads(1).maxDatagramSize(100).build();
        try (UdpServer server = UdpServer.builder().config(config).handler(DatagramHandler.echo()).start();
             UdpServerMetrics meters = NetkitMetrics.bind(registry, server);
             DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress to = server.localAddress();
            for (int i = 0; i < 3; i++) {
                socket.send(new DatagramPacket(new byte[10], 10, to));
            }
            socket.send(new DatagramPacket(new byte[500], 500, to)); // over maxDatagramSize: oversize
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().packetsIn() == 4);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> { // the meters read a snapshot at most a second old
                PromText scrape = PromText.parse(registry.scrape());
                assertThat(scrape.type("netkit_udp_received_packets_total")).isEqualTo("counter");
                assertThat(scrape.value("netkit_udp_received_packets_total")).hasValue(4);
                assertThat(scrape.value("netkit_udp_sent_packets_total")).hasValue(3);
                assertThat(scrape.value("netkit_udp_sent_bytes_total")).hasValue(30);
                assertThat(scrape.value("netkit_udp_drops_total", "reason", "oversize")).hasValue(1);
                assertThat(scrape.value("netkit_udp_drops_total", "reason", "rate")).hasValue(0);
                assertThat(scrape.find("netkit_udp_drops_total")).hasSize(4);
                assertThat(scrape.find("netkit_udp_batches_total")).hasSize(10);
                assertThat(scrape.value("netkit_udp_read_batches_total").orElseThrow()).isBetween(1.0, 4.0);
            });
        }
        assertThat(PromText.parse(registry.scrape()).find("netkit_udp_received_packets_total")).as("removed on close").isEmpty();
        registry.close();
    }
}
