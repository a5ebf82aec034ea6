package dev.netkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.netty.udp.DatagramHandler;
import dev.netkit.netty.udp.UdpServer;
import dev.netkit.netty.udp.UdpServerConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code netkit udp-load} in-process against real {@link UdpServer}s on loopback. */
class UdpLoadCommandTest {
    private static UdpServer server(DatagramHandler handler) {
        return UdpServer.builder().config(UdpServerConfig.builder().port(0).ioThreads(1).build()).handler(handler).start();
    }

    private static String target(UdpServer server) {
        return "127.0.0.1:" + server.localAddress().getPort();
    }

    @Test
    void aPacedRunIsVerifiedAndReportedAsOneJsonLine() {
        try (UdpServer server = server(DatagramHandler.echo())) {
            CliRun run = CliRun.execute(Duration.ofSeconds(30), "udp-load", "--target", target(server), "--size", "64",
                    "--duration", "1s", "--rate", "2000", "--sockets", "2", "--json");
            assertThat(run.exitCode()).as(run.describe()).isZero();
            Map<String, Object> json = MiniJson.parseObject(run.lastOutLine());
            double sent = JsonFields.number(json, "sent");
            assertThat(sent).as(run.describe()).isBetween(1_500.0, 2_600.0);
            assertThat(JsonFields.number(json, "received")).isEqualTo(sent);
            assertThat(JsonFields.number(json, "lost")).isZero();
            assertThat(JsonFields.number(json, "mismatched")).isZero();
            assertThat(JsonFields.number(json, "sent_pps")).isBetween(1_400.0, 2_600.0);
            assertThat(JsonFields.number(json, "received_pps")).isPositive();
            Map<String, Object> latency = JsonFields.map(json, "latency_us");
            assertThat(JsonFields.number(latency, "p50")).isPositive();
            assertThat(JsonFields.number(latency, "p99")).isGreaterThanOrEqualTo(JsonFields.number(latency, "p50"));
            assertThat(server.stats().packetsIn()).isEqualTo((long) sent);
        }
    }

    @Test
    void aFlatOutRunReportsLossAndStillVerifiesWhatCameBack() {
        try (UdpServer server = server(DatagramHandler.echo())) {
            CliRun run = CliRun.execute(Duration.ofSeconds(30), "udp-load", "--target", target(server),
                    "--duration", "500ms", "--json");
            assertThat(run.exitCode()).as(run.describe()).isZero();
            Map<String, Object> json = MiniJson.parseObject(run.lastOutLine());
            double sent = JsonFields.number(json, "sent");
            double received = JsonFields.number(json, "received");
            assertThat(sent).isPositive();
            assertThat(received).isPositive().isLessThanOrEqualTo(sent);
            assertThat(JsonFields.number(json, "lost")).isEqualTo(sent - received);
            assertThat(JsonFields.number(json, "mismatched")).isZero();
        }
    }

    @Test
    void corruptedEchoesAreCountedAsMismatchedAndFailTheRun() {
        DatagramHandler flipsTheLastByte = (d, r) -> {
            var reply = r.reply(d.length());
            d.copyTo(reply);
            reply.setByte(d.length() - 1, ~d.getByte(d.length() - 1));
        };
        try (UdpServer server = server(flipsTheLastByte)) {
            CliRun run = CliRun.execute(Duration.ofSeconds(30), "udp-load", "--target", target(server),
                    "--duration", "300ms", "--rate", "500", "--json");
            assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
            Map<String, Object> json = MiniJson.parseObject(run.lastOutLine());
            assertThat(JsonFields.number(json, "mismatched")).isPositive().isEqualTo(JsonFields.number(json, "sent"));
            assertThat(JsonFields.number(json, "received")).isZero();
        }
    }

    @Test
    void noEchoMeasuresSendingOnlyAgainstASink() {
        try (UdpServer server = server(DatagramHandler.sink())) {
            CliRun run = CliRun.execute(Duration.ofSeconds(30), "udp-load", "--target", target(server),
                    "--duration", "300ms", "--rate", "1000", "--no-echo");
            assertThat(run.exitCode()).as(run.describe()).isZero();
            assertThat(run.out()).contains("sent ").doesNotContain("received");
            assertThat(server.stats().packetsIn()).isPositive();
        }
    }
}
