package dev.netkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code netkit} command run as a real separate JVM, for the tests of its stdout contract
 * ({@code serve}, {@code udp-serve}): stdout read line by line on a thread of its own, stderr in a
 * file, stdin empty. {@link #close} kills what is still running.
 */
final class NetkitChildProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final String EOF = "\u0000EOF";

    private final Process process;
    private final Path stderr;
    private final BlockingQueue<String> stdoutQueue = new LinkedBlockingQueue<>();
    private final List<String> stdoutLines = new CopyOnWriteArrayList<>();
    private final Thread stdoutReader;

    private NetkitChildProcess(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.stdoutReader = Thread.ofPlatform().daemon().name("netkit-child-stdout").start(() -> {
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
    }

    /**
     * Starts {@code prefix... java ... NetkitCommand args...} (one small, quickly compiled JVM),
     * stderr into {@code dir/stderr.txt}.
     */
    static NetkitChildProcess start(Path dir, List<String> prefix, String... args) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                NetkitCommand.class.getName()));
        command.addAll(List.of(args));
        Path stderr = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(command)
                .redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        return new NetkitChildProcess(p, stderr);
    }

    /** Checks the first stdout line is {@code listening on 127.0.0.1:PORT} and returns the port. */
    int listeningPort() throws InterruptedException {
        String first = stdoutQueue.poll(20, TimeUnit.SECONDS); // a cold JVM start on a busy 2-core box
        assertThat(first).as("first stdout line\n%s", diagnostics()).isNotNull().isNotEqualTo(EOF);
        Matcher m = LISTENING.matcher(first);
        assertThat(m.matches()).as("first stdout line '%s' matches %s\n%s", first, LISTENING, diagnostics()).isTrue();
        int port = Integer.parseInt(m.group(1));
        assertThat(port).isBetween(1, 65_535);
        return port;
    }

    Process process() {
        return process;
    }

    /** Every stdout line so far. */
    List<String> stdoutLines() {
        return stdoutLines;
    }

    /** Waits (10 s at most) for the exit, which must be 0 with stdout read to its end. */
    void assertExitsZeroWithin10s() throws InterruptedException {
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("exits within 10 s\n%s", diagnostics()).isTrue();
        assertThat(process.exitValue()).as("exit status\n%s", diagnostics()).isZero();
        stdoutReader.join(5_000);
        assertThat(stdoutReader.isAlive()).as("stdout reached EOF").isFalse();
    }

    /** Its stdout so far and its stderr, for assertion messages. */
    String diagnostics() {
        return "stdout: " + stdoutLines + "\nstderr:\n" + stderrText();
    }

    /** Its stderr so far. */
    String stderrText() {
        try {
            return Files.exists(stderr) ? Files.readString(stderr) : "";
        } catch (IOException e) {
            return "stderr unreadable: " + e;
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        stdoutReader.join(2_000);
    }
}
