package dev.netkit.cli;

import static dev.netkit.netty.testing.RawClient.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.TestServers;
import io.netty.buffer.Unpooled;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code netkit gateway} as a real child process: the listening lines, traffic through both proxy
 * kinds, SIGHUP reloads (a good file applies, a bad one is rejected and the old one serves), and
 * SIGTERM drains and exits 0.
 */
class GatewayProcessTest {
    private static final Pattern LISTENING = Pattern.compile("listening (\\S+) on 127\\.0\\.0\\.1:(\\d+)");
    private static final String YAML = """
            listeners:
              - name: requests
                bind: 127.0.0.1:0
                protocol: anet
                cluster: %s
              - name: bytes
                bind: 127.0.0.1:0
                protocol: tcp
                cluster: b
            clusters:
              - name: a
                endpoints: [ "127.0.0.1:%d" ]
              - name: b
                endpoints: [ "127.0.0.1:%d" ]
            admin: { bind: "127.0.0.1:0" }
            """;

    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static FrameServer named(String name) {
        return FrameServer.builder().config(TestServers.loopback().build())
                .handler((request, alloc) -> Unpooled.wrappedBuffer(bytes(name + ":"), bytes(request.toString(StandardCharsets.US_ASCII))))
                .start();
    }

    private static String ask(InetSocketAddress at, int id, String payload) throws Exception {
        try (RawClient c = new RawClient(at, 3_000)) {
            c.write(frame(id, bytes(payload)));
            byte[] f = c.readFrame();
            return new String(f, 6, f.length - 6, StandardCharsets.US_ASCII);
        }
    }

    private static void signal(Process p, String signal) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor()).isZero();
    }

    @Test
    void runsBothProxiesReloadsOnSighupAndDrainsOnSigterm() throws Exception {
        try (FrameServer a = named("a"); FrameServer b = named("b")) {
            Path file = dir.resolve("gateway.yaml");
            Files.writeString(file, YAML.formatted("a", a.localAddress().getPort(), b.localAddress().getPort()));
            Path stderr = dir.resolve("stderr.txt");
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-cp", System.getProperty("java.class.path"), NetkitCommand.class.getName(),
                    "gateway", "--config", file.toString())
                    .redirectError(stderr.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
            try {
                BlockingQueue<String> lines = new LinkedBlockingQueue<>();
                Thread.ofPlatform().daemon().start(() -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                        r.lines().forEach(lines::add);
                    } catch (Exception ignored) {
                        // the process ended
                    }
                });
                List<Integer> ports = new ArrayList<>();
                for (String name : List.of("requests", "bytes")) {
                    String line = lines.poll(30, TimeUnit.SECONDS);
                    assertThat(line).as("stderr: %s", Files.exists(stderr) ? Files.readString(stderr) : "").isNotNull();
                    Matcher m = LISTENING.matcher(line);
                    assertThat(m.matches()).as(line).isTrue();
                    assertThat(m.group(1)).isEqualTo(name);
                    ports.add(Integer.parseInt(m.group(2)));
                }
                java.util.regex.Matcher admin = Pattern.compile("admin on (http://\\S+?)/?;").matcher("");
                await().atMost(Duration.ofSeconds(10)).until(() -> admin.reset(Files.readString(stderr)).find());
                String adminUri = admin.group(1);
                InetSocketAddress requests = new InetSocketAddress("127.0.0.1", ports.get(0));
                InetSocketAddress tcp = new InetSocketAddress("127.0.0.1", ports.get(1));
                assertThat(ask(requests, 1, "x")).isEqualTo("a:x");
                assertThat(ask(tcp, 2, "y")).as("L4: the frame goes through untouched").isEqualTo("b:y");

                Files.writeString(file, YAML.formatted("b", a.localAddress().getPort(), b.localAddress().getPort()));
                signal(p, "HUP");
                await().atMost(Duration.ofSeconds(15)).until(() -> ask(requests, 3, "z").equals("b:z"));

                String good = YAML.formatted("b", a.localAddress().getPort(), b.localAddress().getPort());
                try (java.net.ServerSocket squatter = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                    // Each bad file: rejected with its own error on stderr, and the running config keeps serving.
                    List<String[]> badFiles = List.of(
                            new String[] {"listeners: [ { name: broken\n", "malformed YAML"},
                            new String[] {good.replace("endpoints:", "endpionts:"), "did you mean \"endpoints\""},
                            new String[] {good.replace("cluster: b\n", "cluster: nowhere\n"), "nowhere"},
                            new String[] {good.replace("protocol: anet", "protocol: anet\n    max_in_flight: 0"), "max_in_flight"},
                            new String[] {good.replace("name: bytes", "name: requests"), "requests"},
                            new String[] {good.replace("bind: 127.0.0.1:0\n    protocol: tcp",
                                    "bind: 127.0.0.1:" + squatter.getLocalPort() + "\n    protocol: tcp"), "cannot bind"});
                    int rejected = 0;
                    for (String[] bad : badFiles) {
                        Files.writeString(file, bad[0]);
                        signal(p, "HUP");
                        int expected = ++rejected;
                        await().atMost(Duration.ofSeconds(15)).until(() -> Files.readString(stderr).lines()
                                .filter(l -> l.contains("reload rejected")).count() == expected);
                        String line = Files.readString(stderr).lines().filter(l -> l.contains("reload rejected"))
                                .reduce((x, y) -> y).orElseThrow();
                        assertThat(line).as("the error of %s", bad[1]).contains(bad[1]);
                        assertThat(ask(requests, 4, "still")).isEqualTo("b:still");
                        assertThat(ask(tcp, 5, "l4")).isEqualTo("b:l4");
                    }
                }

                // A SIGHUP storm while requests flow: every request answered, reloads merged.
                Files.writeString(file, good);
                java.util.concurrent.atomic.AtomicBoolean storming = new java.util.concurrent.atomic.AtomicBoolean(true);
                var storm = java.util.concurrent.CompletableFuture.runAsync(() -> {
                    try {
                        for (int i = 0; i < 30; i++) {
                            signal(p, "HUP");
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    } finally {
                        storming.set(false);
                    }
                });
                int answered = 0;
                try (RawClient c = new RawClient(requests, 5_000)) {
                    for (int i = 0; storming.get() || i < 200; i++) {
                        c.write(frame(i, bytes("s" + i)));
                        byte[] f = c.readFrame();
                        assertThat(new String(f, 6, f.length - 6, StandardCharsets.US_ASCII)).isEqualTo("b:s" + i);
                        answered++;
                    }
                }
                storm.join();
                assertThat(answered).isGreaterThanOrEqualTo(200);
                long reloadsBefore = 1; // the good reload at the start
                await().atMost(Duration.ofSeconds(15)).until(() -> Files.readString(stderr).lines()
                        .filter(l -> l.startsWith("netkit gateway: reloaded")).count() > reloadsBefore);
                // never more reloads than SIGHUPs; how many merge depends on timing (GatewayReloadMergeTest
                // shows the merging itself deterministically)
                assertThat(Files.readString(stderr).lines().filter(l -> l.startsWith("netkit gateway: reloaded")).count())
                        .as("at most one reload per SIGHUP").isLessThanOrEqualTo(1 + 30);

                var http = java.net.http.HttpClient.newHttpClient();
                var ready = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(adminUri + "/ready")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(ready.statusCode()).isEqualTo(200);
                var reload = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(adminUri + "/reload"))
                        .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
                assertThat(reload.body()).contains("reloaded");

                p.destroy(); // SIGTERM
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("drains and exits").isTrue();
                assertThat(p.exitValue()).as(Files.readString(stderr)).isZero();
                assertThat(Files.readString(stderr)).contains("netkit gateway: stopped").doesNotContain("Exception");
            } finally {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
