package dev.netkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.netty.testing.RawClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
    @TempDir
    Path tmp;

    private NetkitChildProcess child;

    @AfterEach
    void killProcess() throws InterruptedException {
        if (child != null) {
            child.close();
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
        assertThat(child.process().toHandle().destroy()).isTrue();
        child.assertExitsZeroWithin10s();
        assertThat(child.stdoutLines()).as(child.diagnostics())
                .hasSize(2) // nothing but the contract lines on stdout (logging goes to stderr)
                .last().isEqualTo("served 3 requests on 1 connections");
    }

    @Test
    void sigtermRightAfterTheListeningLineIsAlreadyHandled() throws Exception {
        startServe(List.of());

        assertThat(child.process().toHandle().destroy()).isTrue(); // at once: tooling may signal as soon as it knows the port
        child.assertExitsZeroWithin10s();
        assertThat(child.stdoutLines()).as(child.diagnostics()).hasSize(2).last().isEqualTo("served 0 requests on 0 connections");
    }

    @Test
    void sigintStopsGracefullyClosesOpenConnectionsAndExitsZero() throws Exception {
        // A shell starts background jobs with SIGINT ignored, and a JVM never catches a signal that
        // was ignored when it started; env --default-signal (GNU coreutils >= 8.31) undoes that.
        List<String> prefix = envCanResetSigint() ? List.of("env", "--default-signal=INT") : List.of();
        int port = startServe(prefix);
        Optional<Boolean> ignored = sigintIgnoredBy(child.process().pid());
        assertThat(ignored).as("/proc/" + child.process().pid() + "/status must be readable").isPresent();
        assertThat(ignored.get()).as("SIGINT must reach the JVM (env --default-signal=INT resets an inherited ignore)").isFalse();

        try (RawClient first = new RawClient(new InetSocketAddress("127.0.0.1", port), 5_000);
             RawClient second = new RawClient(new InetSocketAddress("127.0.0.1", port), 5_000)) {
            assertEchoes(first, 1);
            assertEchoes(second, 2);

            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(child.process().pid())).inheritIO().start();
            assertThat(kill.waitFor(5, TimeUnit.SECONDS)).isTrue();
            assertThat(kill.exitValue()).isZero();

            // Graceful stop: connections left open by clients are closed by the server.
            assertThat(first.closedByPeerWithin(10_000)).as("server closes an idle open connection on SIGINT").isTrue();
            assertThat(second.closedByPeerWithin(10_000)).isTrue();
        }
        child.assertExitsZeroWithin10s();
        assertThat(child.stdoutLines()).as(child.diagnostics()).hasSize(2).last().isEqualTo("served 3 requests on 2 connections");
    }

    /** Starts {@code netkit serve --port 0} and returns the port from its first stdout line. */
    private int startServe(List<String> prefix) throws IOException, InterruptedException {
        child = NetkitChildProcess.start(tmp, prefix, "serve", "--port", "0", "--io-threads", "1");
        return child.listeningPort();
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
