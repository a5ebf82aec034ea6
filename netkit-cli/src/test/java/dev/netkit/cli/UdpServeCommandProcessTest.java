package dev.netkit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.metrics.testing.PromText;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code netkit udp-serve} as a real separate JVM, checked through its stdout contract: first line
 * {@code listening on HOST:PORT}, last line {@code received N packets}, exit 0 on SIGTERM.
 */
@EnabledOnOs(OS.LINUX) // POSIX signals
class UdpServeCommandProcessTest {
    private static final Pattern METRICS_ON = Pattern.compile("metrics on (http://127\\.0\\.0\\.1:\\d+/metrics)");

    @TempDir
    Path tmp;

    private NetkitChildProcess child;

    @AfterEach
    void killProcess() throws InterruptedException {
        if (child != null) {
            child.close();
        }
    }

    private int start(String mode, String... more) throws IOException, InterruptedException {
        List<String> args = new java.util.ArrayList<>(List.of("udp-serve", "--port", "0", "--io-threads", "1", "--mode", mode));
        args.addAll(List.of(more));
        child = NetkitChildProcess.start(tmp, List.of(), args.toArray(String[]::new));
        return child.listeningPort();
    }

    @Test
    void echoModeAnswersAndSigtermReportsThePacketsReceived() throws Exception {
        int port = start("echo");
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(5_000);
            for (int i = 0; i < 3; i++) {
                byte[] payload = ("datagram-" + i).getBytes(StandardCharsets.US_ASCII);
                socket.send(new DatagramPacket(payload, payload.length, new InetSocketAddress("127.0.0.1", port)));
                DatagramPacket answer = new DatagramPacket(new byte[100], 100);
                socket.receive(answer);
                assertThat(Arrays.copyOf(answer.getData(), answer.getLength())).isEqualTo(payload);
            }
        }
        assertThat(child.process().toHandle().destroy()).isTrue(); // SIGTERM
        child.assertExitsZeroWithin10s();
        assertThat(child.stdoutLines()).as(child.diagnostics()).hasSize(2).last().isEqualTo("received 3 packets");
        assertThat(child.stderrText()).contains("answered 3");
    }

    @Test
    void sinkModeAnswersNothing() throws Exception {
        int port = start("sink", "--metrics-port", "0");
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(300);
            byte[] payload = {1, 2, 3};
            for (int i = 0; i < 5; i++) {
                socket.send(new DatagramPacket(payload, payload.length, new InetSocketAddress("127.0.0.1", port)));
            }
            DatagramPacket answer = new DatagramPacket(new byte[100], 100);
            assertThat(receives(socket, answer)).as("a sink answers nothing").isFalse();
        }
        // SIGTERM only once the server has read all five (its own counter, scraped from its metrics)
        String metrics = await().atMost(Duration.ofSeconds(10))
                .until(() -> METRICS_ON.matcher(child.stderrText()).results().map(r -> r.group(1)).findFirst(), Optional::isPresent)
                .orElseThrow();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(PromText.scrape(java.net.URI.create(metrics)).value("netkit_udp_received_packets_total")).hasValue(5));
        assertThat(child.process().toHandle().destroy()).isTrue();
        child.assertExitsZeroWithin10s();
        assertThat(child.stdoutLines()).as(child.diagnostics()).last().isEqualTo("received 5 packets");
    }

    private static boolean receives(DatagramSocket socket, DatagramPacket p) throws IOException {
        try {
            socket.receive(p);
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        }
    }
}
