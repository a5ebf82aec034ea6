package dev.netkit.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code netkit serve} child JVM on loopback, started from the test classpath, for tests that
 * need a real separate server process (to kill it abruptly, for instance). {@link #close()} kills
 * it if it still runs.
 */
final class ServeProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final String EOF = "\u0000EOF";

    private final Process process;
    private final Path stderr;
    private final int port;

    private ServeProcess(Process process, Path stderr, int port) {
        this.process = process;
        this.stderr = stderr;
        this.port = port;
    }

    /**
     * Starts {@code netkit serve --port port} (0: any free port) and waits, at most 20 s, for its
     * {@code listening on} line.
     *
     * @param stderr where the child's stderr goes
     * @throws IllegalStateException with the child's stderr when it does not come up
     */
    static ServeProcess start(int port, Path stderr) throws IOException, InterruptedException {
        return start(port, stderr, List.of());
    }

    /** As {@link #start(int, Path)}, with more {@code serve} options. */
    static ServeProcess start(int port, Path stderr, List<String> moreArgs) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                NetkitCommand.class.getName(), "serve", "--port", Integer.toString(port), "--io-threads", "1"));
        command.addAll(moreArgs);
        Process process = new ProcessBuilder(command)
                .redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().name("serve-" + process.pid() + "-stdout").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // killed
            } finally {
                lines.add(EOF);
            }
        });
        String first = lines.poll(20, TimeUnit.SECONDS); // a cold JVM on a busy 2-core box
        Matcher m = LISTENING.matcher(first == null ? "" : first);
        if (!m.matches()) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            throw new IllegalStateException("netkit serve --port " + port + " did not come up; first stdout line: "
                    + (first == null ? "(none within 20 s)" : first.equals(EOF) ? "(exited)" : first)
                    + "\nstderr:\n" + read(stderr));
        }
        return new ServeProcess(process, stderr, Integer.parseInt(m.group(1)));
    }

    int port() {
        return port;
    }

    String target() {
        return "127.0.0.1:" + port;
    }

    /** SIGKILL, then waits (at most 10 s) until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("netkit serve pid " + process.pid() + " survived SIGKILL for 10 s");
        }
    }

    String stderr() {
        return read(stderr);
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
