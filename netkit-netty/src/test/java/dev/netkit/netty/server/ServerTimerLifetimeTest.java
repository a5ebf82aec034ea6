package dev.netkit.netty.server;

import static dev.netkit.netty.testing.RawClient.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.TestServers;
import dev.netkit.netty.transport.IoGroup;
import dev.netkit.netty.transport.TransportKind;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
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
            int before = scheduledTasks(io);
            for (int i = 0; i < 100; i++) {
                try (RawClient c = new RawClient(server.localAddress())) {
                    c.write(frame(i, "x".getBytes(StandardCharsets.US_ASCII)));
                    c.readFrame();
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().activeConnections() == 0);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(scheduledTasks(io) - before).isLessThan(10));
        }
    }

    /** Timers scheduled on the loops now (read on each loop itself). */
    private static int scheduledTasks(IoGroup io) throws Exception {
        Field queue = AbstractScheduledEventExecutor.class.getDeclaredField("scheduledTaskQueue");
        queue.setAccessible(true);
        int n = 0;
        for (EventExecutor loop : io.eventLoops()) {
            n += loop.submit(() -> {
                Collection<?> q = (Collection<?>) queue.get(loop);
                return q == null ? 0 : q.size();
            }).get(5, TimeUnit.SECONDS);
        }
        return n;
    }
}
