package dev.netkit.netty.server;

import static dev.netkit.netty.testing.RawClient.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.ScheduledTasks;
import dev.netkit.netty.testing.TestServers;
import dev.netkit.netty.transport.IoGroup;
import dev.netkit.netty.transport.TransportKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Each connection arms an idle timer (5 min by default). A closed connection must not leave it
 * scheduled: it would keep the connection, its channel and pipeline reachable until it fires, so
 * under churn closed connections would pile up (measured before the fix: ~1.5 KB each).
 */
class ServerTimerLifetimeTest {
    @Test
    void closedConnectionsLeaveNoTimerBehind() throws Exception {
        try (IoGroup io = IoGroup.create(TransportKind.AUTO, 1, "timer-test");
             FrameServer server = FrameServer.builder().config(TestServers.loopback().build()).io(io)
                     .handler(RequestHandler.echo()).start()) {
            int before = ScheduledTasks.count(io.eventLoops());
            for (int i = 0; i < 100; i++) {
                try (RawClient c = new RawClient(server.localAddress())) {
                    c.write(frame(i, "x".getBytes(StandardCharsets.US_ASCII)));
                    c.readFrame();
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().activeConnections() == 0);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(ScheduledTasks.count(io.eventLoops()) - before).isLessThan(10));
        }
    }
}
