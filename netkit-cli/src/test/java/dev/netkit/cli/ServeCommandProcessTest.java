package dev.netkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.netty.testing.RawClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
 * {@code netkit serve} as a real separate JVM, checked through its stdout contract: first line
 * {@code listening on HOST:PORT}, last line {@code served R requests on C connections}, exit 0 on
 * SIGTERM and SIGINT.
 */
@EnabledOnOs(OS.LINUX) // POSIX signals, /proc, kill(1)
class ServeCommandProcessTest {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final String EOF = "\u0000EOF";

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
    void sigtermStopsGracefullyExitsZeroAndReportsWhatWasServed() throws Exception {
        int port = startServe(List.of());

        try (RawClient client = new RawClient(new InetSocketAddress("127.0.0.1", port), 5_000)) {
            assertEchoes(client, 3);
        }

        // SIGTERM. Not process.destroy(): it also closes our end of the child's stdout, so the
        // line printed while stopping would be lost (the child then exits 0 with a failed write).
        assertThat(process.toHandle().destroy()).isTrue();
        assertExitsZeroWithin10s();
        assertThat(stdoutLines).as(stderr())
                .hasSize(2) // nothing but the contract lines on stdout (logging goes to stderr)
                .last().isEqualTo("served 3 requests on 1 connections");
    }

    @Test
    void sigtermRightAfterTheListeningLineIsAlreadyHandled() throws Exception {
        startServe(List.of());

        assertThat(process.toHandle().destroy()).isTrue(); // at once: tooling may signal as soon as it knows the port
        assertExitsZeroWithin10s();
        assertThat(stdoutLines).as(stderr()).hasSize(2).last().isEqualTo("served 0 requests on 0 connections");
    }

    @Test
    void sigintStopsGracefullyClosesOpenConnectionsAndExitsZero() throws Exception {
        // A shell starts background jobs with SIGINT ignored, and a JVM never catches a signal that
        // was ignored when it started; env --default-signal (GNU coreutils >= 8.31) undoes that.
        List<String> prefix = envCanResetSigint() ? List.of("env", "--default-signal=INT") : List.of();
        int port = startServe(prefix);
        Optional<Boolean> ignored = sigintIgnoredBy(process.pid());
        assertThat(ignored).as("/proc/" + process.pid() + "/status must be readable").isPresent();
        assertThat(ignored.get()).as("SIGINT must reach the JVM (env --default-signal=INT resets an inherited ignore)").isFalse();

        try (RawClient first = new RawClient(new InetSocketAddress("127.0.0.1", port), 5_000);
             RawClient second = new RawClient(new InetSocketAddress("127.0.0.1", port), 5_000)) {
            assertEchoes(first, 1);
            assertEchoes(second, 2);

            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start();
            assertThat(kill.waitFor(5, TimeUnit.SECONDS)).isTrue();
            assertThat(kill.exitValue()).isZero();

            // Graceful stop: connections left open by clients are closed by the server.
            assertThat(first.closedByPeerWithin(10_000)).as("server closes an idle open connection on SIGINT").isTrue();
            assertThat(second.closedByPeerWithin(10_000)).isTrue();
        }
        assertExitsZeroWithin10s();
        assertThat(stdoutLines).as(stderr()).hasSize(2).last().isEqualTo("served 3 requests on 2 connections");
    }

    /** Starts {@code netkit serve --port 0} and returns the port from its first stdout line. */
    private int startServe(List<String> prefix) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                NetkitCommand.class.getName(), "serve", "--port", "0", "--io-threads", "1"));
        process = new ProcessBuilder(command)
                .redirectError(tmp.resolve("stderr.txt").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        stdoutReader = Thread.ofPlatform().daemon().name("serve-stdout").start(() -> {
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
        String first = stdoutQueue.poll(20, TimeUnit.SECONDS); // a cold JVM start on a busy 2-core box
        assertThat(first).as("first stdout line of netkit serve\n%s", stderr()).isNotNull().isNotEqualTo(EOF);
        Matcher m = LISTENING.matcher(first);
        assertThat(m.matches()).as("first stdout line '%s' matches %s\n%s", first, LISTENING, stderr()).isTrue();
        int port = Integer.parseInt(m.group(1));
        assertThat(port).isBetween(1, 65_535);
        return port;
    }

    /** Pipelines {@code n} frames in one write and checks each comes back byte for byte. */
    private static void assertEchoes(RawClient client, int n) throws IOException {
        Set<String> sent = new HashSet<>();
        byte[] all = new byte[0];
        for (int i = 0; i < n; i++) {
            byte[] frame = RawClient.frame(0x0A0B0000 + i, ("payload-" + i + "-" + "x".repeat(i * 7)).getBytes(StandardCharsets.US_ASCII));
            sent.add(HexFormat.of().formatHex(frame));
            byte[] joined = new byte[all.length + frame.length];
            System.arraycopy(all, 0, joined, 0, all.length);
            System.arraycopy(frame, 0, joined, all.length, frame.length);
            all = joined;
        }
        client.write(all);
        Set<String> received = new HashSet<>();
        for (int i = 0; i < n; i++) {
            received.add(HexFormat.of().formatHex(client.readFrame())); // bounded by the socket timeout
        }
        assertThat(received).as("echoed frames (correlation and payload)").isEqualTo(sent);
    }

    private void assertExitsZeroWithin10s() throws InterruptedException {
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("netkit serve exits within 10 s\n%s", stderr()).isTrue();
        assertThat(process.exitValue()).as("exit status\n%s", stderr()).isZero();
        stdoutReader.join(5_000);
        assertThat(stdoutReader.isAlive()).as("stdout reached EOF").isFalse();
    }

    private String stderr() {
        try {
            Path p = tmp.resolve("stderr.txt");
            return "stdout: " + stdoutLines + "\nstderr:\n" + (Files.exists(p) ? Files.readString(p) : "");
        } catch (IOException e) {
            return "stderr unreadable: " + e;
        }
    }

    private static boolean envCanResetSigint() {
        try {
            Process p = new ProcessBuilder("env", "--default-signal=INT", "true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Whether SIGINT (bit 1 of SigIgn) is ignored by the process, from /proc. */
    private static Optional<Boolean> sigintIgnoredBy(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("SigIgn:")) {
                    long mask = Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16);
                    return Optional.of((mask & (1L << (2 - 1))) != 0);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return Optional.empty();
    }
}
