package dev.netkit.netty.server;

import static dev.netkit.netty.testing.RawClient.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.event.ConnectionOpened;
import dev.netkit.core.event.ConnectionRefused;
import dev.netkit.core.event.EventBus;
import dev.netkit.core.ip.IpPolicy;
import dev.netkit.netty.testing.EventLog;
import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The client IP policy on real loopback sockets: clients bind 127.0.0.2 or 127.0.0.3 to act as
 * other addresses than 127.0.0.1.
 */
class ServerIpPolicyTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static FrameServer start(IpPolicy policy, EventBus bus) {
        FrameServer.Builder b = FrameServer.builder().config(TestServers.loopback().ipPolicy(policy).build())
                .handler(RequestHandler.echo());
        return (bus == null ? b : b.events(bus)).start();
    }

    private static void assertEchoes(RawClient client, int id) throws Exception {
        client.write(frame(id, bytes("ping" + id)));
        assertThat(client.readFrame()).isEqualTo(frame(id, bytes("ping" + id)));
    }

    @Test
    void aDeniedIpIsClosedAtOnceAndCountedWhileAnAllowedOneIsServed() throws Exception {
        EventLog log = new EventLog();
        try (EventBus bus = EventBus.create();
             FrameServer server = start(IpPolicy.builder().allow("127.0.0.0/8").deny("127.0.0.2").build(), bus)) {
            bus.subscribe(log);
            try (RawClient allowed = RawClient.from("127.0.0.3", server.localAddress());
                 RawClient denied = RawClient.from("127.0.0.2", server.localAddress())) {
                assertThat(denied.closedByPeerWithin(3_000)).as("the denied client reads end-of-stream").isTrue();
                assertEchoes(allowed, 1);
                ServerStats stats = server.stats();
                assertThat(stats.ipRefusals()).containsEntry("denied", 1L).containsEntry("not_allowed", 0L);
                assertThat(stats.ipRefusedTotal()).isEqualTo(1);
                assertThat(stats.connectionsAccepted()).as("a refused connection is not accepted").isEqualTo(1);
                assertThat(stats.connectionsRejected()).as("maxConnections refusals only").isZero();
                await().atMost(WAIT).until(() -> log.of(ConnectionRefused.class).size() == 1);
                ConnectionRefused e = log.of(ConnectionRefused.class).getFirst();
                assertThat(e.reason()).isEqualTo("denied");
                assertThat(e.endpoint().host()).isEqualTo("127.0.0.2");
                assertThat(e.endpoint().port()).isEqualTo(denied.socket().getLocalPort());
                assertThat(log.of(ConnectionOpened.class)).as("no handler, no open event for the refused one").hasSize(1);
            }
        }
    }

    @Test
    void anAllowListRefusesEveryOtherAddress() throws Exception {
        try (FrameServer server = start(IpPolicy.builder().allow("127.0.0.3/32, ::1").build(), null);
             RawClient outsider = RawClient.from("127.0.0.2", server.localAddress());
             RawClient insider = RawClient.from("127.0.0.3", server.localAddress())) {
            assertThat(outsider.closedByPeerWithin(3_000)).isTrue();
            assertEchoes(insider, 7);
            assertThat(server.stats().ipRefusals()).containsEntry("not_allowed", 1L);
        }
    }

    @Test
    void theNPlusFirstConnectionOfOneIpIsRefusedAnotherIpIsFineAndAClosedOneFreesItsSlot() throws Exception {
        try (FrameServer server = start(IpPolicy.builder().maxConnectionsPerIp(2).build(), null);
             RawClient a1 = RawClient.from("127.0.0.2", server.localAddress());
             RawClient a2 = RawClient.from("127.0.0.2", server.localAddress())) {
            assertEchoes(a1, 1);
            assertEchoes(a2, 2); // both admitted before the third connects
            try (RawClient a3 = RawClient.from("127.0.0.2", server.localAddress())) {
                assertThat(a3.closedByPeerWithin(3_000)).isTrue();
            }
            assertThat(server.stats().ipRefusals()).containsEntry("max_connections_per_ip", 1L);
            try (RawClient b1 = RawClient.from("127.0.0.3", server.localAddress());
                 RawClient b2 = RawClient.from("127.0.0.3", server.localAddress())) {
                assertEchoes(b1, 3);
                assertEchoes(b2, 4);
            }
            a1.close();
            await().atMost(WAIT).until(() -> server.stats().activeConnections() == 1);
            try (RawClient again = RawClient.from("127.0.0.2", server.localAddress())) {
                assertEchoes(again, 5);
            }
            assertThat(server.stats().ipRefusals()).containsEntry("max_connections_per_ip", 1L);
        }
    }

    @Test
    void aPolicyReplacedWhileRunningAppliesToNewConnectionsAndKeepsOpenOnes() throws Exception {
        try (FrameServer server = start(IpPolicy.allowAll(), null);
             RawClient open = RawClient.from("127.0.0.2", server.localAddress())) {
            assertEchoes(open, 1);
            IpPolicy next = IpPolicy.builder().deny("127.0.0.2").build();
            server.ipPolicy(next);
            assertThat(server.ipPolicy()).isEqualTo(next);
            assertThat(server.config().ipPolicy()).isEqualTo(IpPolicy.allowAll());
            try (RawClient refused = RawClient.from("127.0.0.2", server.localAddress());
                 RawClient other = RawClient.from("127.0.0.3", server.localAddress())) {
                assertThat(refused.closedByPeerWithin(3_000)).isTrue();
                assertEchoes(other, 2);
            }
            assertEchoes(open, 3);
            server.ipPolicy(IpPolicy.allowAll());
            try (RawClient back = RawClient.from("127.0.0.2", server.localAddress())) {
                assertEchoes(back, 4);
            }
            assertThat(server.stats().ipRefusals()).containsEntry("denied", 1L);
        }
    }

    @Test
    void aRefusalByPolicyDoesNotTakeAConnectionSlotAndMaxConnectionsGivesThePerIpSlotBack() throws Exception {
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().maxConnections(1)
                        .ipPolicy(IpPolicy.builder().maxConnectionsPerIp(1).build()).build())
                .handler(RequestHandler.echo()).start();
             RawClient a = RawClient.from("127.0.0.2", server.localAddress())) {
            assertEchoes(a, 1);
            try (RawClient overServer = RawClient.from("127.0.0.3", server.localAddress())) {
                assertThat(overServer.closedByPeerWithin(3_000)).isTrue(); // maxConnections
            }
            assertThat(server.stats().connectionsRejected()).isEqualTo(1);
            a.close();
            await().atMost(WAIT).until(() -> server.stats().activeConnections() == 0);
            try (RawClient b = RawClient.from("127.0.0.3", server.localAddress())) {
                assertEchoes(b, 2); // 127.0.0.3's per-IP slot was given back when maxConnections refused it
            }
            assertThat(server.stats().ipRefusedTotal()).isZero();
        }
    }
}
