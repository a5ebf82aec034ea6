package dev.netkit.netty.event;

import static dev.netkit.netty.testing.RawClient.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.event.ConnectionClosed;
import dev.netkit.core.event.ConnectionOpened;
import dev.netkit.core.event.EventBus;
import dev.netkit.core.event.LimitReached;
import dev.netkit.core.event.Side;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.EventLog;
import dev.netkit.netty.testing.HeldRequests;
import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A server's events: connections accepted and closed with their reason, and its limits reached. */
class ServerEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aRefusedConnectionReportsMaxConnectionsAndClosesCarryTheirReason() throws Exception {
        EventLog log = new EventLog();
        try (EventBus bus = EventBus.create();
             FrameServer server = FrameServer.builder().config(TestServers.loopback().maxConnections(1)
                             .idleTimeout(Duration.ofMillis(300)).build())
                     .handler(RequestHandler.echo()).events(bus).start()) {
            bus.subscribe(log);
            try (RawClient a = new RawClient(server.localAddress())) {
                await().atMost(WAIT).until(() -> log.of(ConnectionOpened.class).size() == 1);
                assertThat(log.of(ConnectionOpened.class).getFirst().endpoint().port()).isEqualTo(a.socket().getLocalPort());
                try (RawClient refused = new RawClient(server.localAddress())) {
                    assertThat(refused.closedByPeerWithin(3_000)).isTrue();
                    await().atMost(WAIT).until(() -> log.of(LimitReached.class).size() == 1);
                    assertThat(log.of(LimitReached.class).getFirst()).satisfies(e -> {
                        assertThat(e.limit()).isEqualTo(LimitReached.Limit.MAX_CONNECTIONS);
                        assertThat(e.value()).isEqualTo(1);
                        assertThat(e.current()).isEqualTo(1);
                        assertThat(e.endpoint().port()).isEqualTo(refused.socket().getLocalPort());
                    });
                }
                assertThat(log.of(ConnectionOpened.class)).as("a refused connection was never opened").hasSize(1);
                a.write(frame(1, bytes("a")));
                assertThat(a.readFrame()).isEqualTo(frame(1, bytes("a")));
            } // a closes: the peer closed
            try (RawClient idle = new RawClient(server.localAddress())) {
                assertThat(idle.closedByPeerWithin(3_000)).as("closed for idleness").isTrue();
            }
            await().atMost(WAIT).until(() -> log.of(ConnectionClosed.class).size() == 2);
            assertThat(log.of(ConnectionClosed.class)).allSatisfy(e -> assertThat(e.side()).isEqualTo(Side.SERVER))
                    .extracting(ConnectionClosed::reason).containsExactly("peer_closed", "idle_timeout");
        }
    }

    @Test
    void reachingTheConcurrencyLimitIsReportedOncePerEpisodeOfSaturation() throws Exception {
        EventLog log = new EventLog();
        HeldRequests held = new HeldRequests();
        try (EventBus bus = EventBus.create();
             FrameServer server = FrameServer.builder().config(TestServers.loopback().maxConcurrentRequests(1).build())
                     .asyncHandler(held).events(bus).start();
             RawClient client = new RawClient(server.localAddress())) {
            bus.subscribe(log);
            for (int episode = 1; episode <= 2; episode++) {
                int base = episode * 10;
                for (int i = 0; i < 3; i++) {
                    client.write(frame(base + i, bytes("r" + i)));
                }
                HeldRequests.Held first = held.next();
                int expected = episode;
                // The second frame found no permit: the connection parked and the limit was reported.
                await().atMost(WAIT).until(() -> log.of(LimitReached.class).size() == expected);
                first.echo();
                held.next().echo(); // the third frame parks again in the same episode: not reported
                held.next().echo();
                for (int i = 0; i < 3; i++) {
                    assertThat(client.readFrame()).isEqualTo(frame(base + i, bytes("r" + i)));
                }
            }
            // Events of one event loop arrive in order: had the first episode been reported twice,
            // the extra event would be here before the second episode's.
            assertThat(log.of(LimitReached.class)).hasSize(2).allSatisfy(e -> {
                assertThat(e.limit()).isEqualTo(LimitReached.Limit.MAX_CONCURRENT_REQUESTS);
                assertThat(e.value()).isEqualTo(1);
                assertThat(e.current()).isEqualTo(1);
                assertThat(e.endpoint().port()).isEqualTo(server.localAddress().getPort());
            });
        }
    }
}
