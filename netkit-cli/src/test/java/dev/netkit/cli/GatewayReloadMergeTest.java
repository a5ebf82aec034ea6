package dev.netkit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.cli.gateway.GatewayProcess;
import dev.netkit.gateway.config.GatewayConfig;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.testing.TestServers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SIGHUP storm costs at most two reloads in a row: while one reload runs, any number of further
 * requests merge into one more. Made deterministic by holding the reload (the test owns the
 * process's monitor, which {@link GatewayProcess#reload} needs) until all requests are in.
 */
class GatewayReloadMergeTest {
    @TempDir
    Path dir;

    @Test
    void thirtyRequestsDuringARunningReloadCostOneMoreReload() throws Exception {
        try (FrameServer backend = TestServers.echo()) {
            Path file = dir.resolve("gateway.yaml");
            Files.writeString(file, """
                    listeners:
                      - { name: front, bind: 127.0.0.1:0, protocol: anet, cluster: up }
                    clusters:
                      - { name: up, endpoints: [ "127.0.0.1:%d" ], health: { enabled: false } }
                    admin: { bind: "127.0.0.1:0" }
                    """.formatted(backend.localAddress().getPort()));
            StringWriter err = new StringWriter();
            try (GatewayProcess process = GatewayProcess.start(file, GatewayConfig.load(file),
                    new PrintWriter(new StringWriter()), new PrintWriter(err, true))) {
                Set<Thread> before = Thread.getAllStackTraces().keySet();
                Thread reloader;
                synchronized (process) {
                    process.requestReload(); // starts the process's reload thread
                    reloader = await().atMost(Duration.ofSeconds(10)).until(() -> newReloadThread(before), t -> t != null);
                    await().atMost(Duration.ofSeconds(10)).until(() -> reloader.getState() == Thread.State.BLOCKED);
                    for (int i = 0; i < 30; i++) {
                        process.requestReload();
                    }
                }
                // the reload thread idle again with at least two done: every queued reload has run
                await().atMost(Duration.ofSeconds(10)).until(() -> reloads(err) >= 2 && reloader.getState() == Thread.State.WAITING);
                assertThat(reloads(err)).as("31 requests: the running reload and one merged for the other 30").isEqualTo(2);
            }
        }
    }

    private static long reloads(StringWriter err) {
        return err.toString().lines().filter(l -> l.startsWith("netkit gateway: reloaded")).count();
    }

    private static Thread newReloadThread(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("netkit-gateway-reload") && !before.contains(t)).findFirst().orElse(null);
    }
}
