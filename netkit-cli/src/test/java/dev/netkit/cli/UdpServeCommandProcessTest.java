package dev.netkit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.metrics.testing.PromText;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
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
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final String EOF = "\u0000EOF";
    private static final Pattern METRICS_ON = Pattern.compile("metrics on (http://127\\.0\\.0\\.1:\\d+/metrics)");

    @TempDir
    Path tmp;

    private Process process;
    private final BlockingQueue<String> stdoutQueue = new LinkedBlockingQueue<>();
    private final List<String> stdoutLines = new CopyOnWriteArrayList<>();
    private Thread stdoutReader;

    @AfterEach
    void killProcess() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        if (stdoutReader != null) {
            stdoutReader.join(2_000);
        }
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
        assertThat(process.toHandle().destroy()).isTrue(); // SIGTERM
        assertExitsZero();
        assertThat(stdoutLines).as(stderr()).hasSize(2).last().isEqualTo("received 3 packets");
        assertThat(stderr()).contains("answered 3");
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
                .until(() -> METRICS_ON.matcher(stderr()).results().map(r -> r.group(1)).findFirst(), java.util.Optional::isPresent)
                .orElseThrow();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(PromText.scrape(metrics).value("netkit_udp_received_packets_total")).hasValue(5));
        assertThat(process.toHandle().destroy()).isTrue();
        assertExitsZero();
        assertThat(stdoutLines).as(stderr()).last().isEqualTo("received 5 packets");
    }

    private static boolean receives(DatagramSocket socket, DatagramPacket p) throws IOException {
        try {
            socket.receive(p);
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        }
    }

    private int start(String mode, String... more) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                NetkitCommand.class.getName(), "udp-serve", "--port", "0", "--io-threads", "1", "--mode", mode));
        command.addAll(List.of(more));
        process = new ProcessBuilder(command)
                .redirectError(tmp.resolve("stderr.txt").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        stdoutReader = Thread.ofPlatform().daemon().name("udp-serve-stdout").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    stdoutLines.add(line);
                    stdoutQueue.add(line);
                }
            } catch (IOException ignored) {
                // the process was killed
            } finally {
                stdoutQueue.add(EOF);
            }
        });
        String first = stdoutQueue.poll(20, TimeUnit.SECONDS);
        assertThat(first).as("first stdout line of netkit udp-serve\n%s", stderr()).isNotNull().isNotEqualTo(EOF);
        Matcher m = LISTENING.matcher(first);
        assertThat(m.matches()).as("first stdout line '%s'\n%s", first, stderr()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private void assertExitsZero() throws InterruptedException {
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("exits within 10 s\n%s", stderr()).isTrue();
        assertThat(process.exitValue()).as("exit status\n%s", stderr()).isZero();
        stdoutReader.join(5_000);
    }

    private String stderr() {
        try {
            Path p = tmp.resolve("stderr.txt");
            return "stdout: " + stdoutLines + "\nstderr:\n" + (Files.exists(p) ? Files.readString(p) : "");
        } catch (IOException e) {
            return "stderr unreadable: " + e;
        }
    }
}
