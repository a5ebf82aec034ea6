package dev.netkit.gateway;

import static dev.netkit.netty.testing.RawClient.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.gateway.config.GatewayConfig;
import dev.netkit.gateway.config.GatewayConfigParser;
import dev.netkit.gateway.internal.GatewayListener;
import dev.netkit.gateway.testing.TcpBackend;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.TestServers;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ip_policy} on both listener kinds, with real loopback clients: a client binding
 * 127.0.0.2 or 127.0.0.3 plays another IP. A reload changes the policy in place.
 */
class GatewayIpPolicyTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private FrameServer anetBackend;
    private TcpBackend tcpBackend;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T later(T c) {
        toClose.add(c);
        return c;
    }

    private GatewayConfig config(String ipPolicy) throws Exception {
        if (anetBackend == null) {
            anetBackend = later(TestServers.echo());
            tcpBackend = later(TcpBackend.echo());
        }
        return new GatewayConfigParser().parse("""
                listeners:
                  - name: front
                    bind: 127.0.0.1:0
                    protocol: anet
                    cluster: anet-pool
                    ip_policy: %1$s
                  - name: tcp-front
                    bind: 127.0.0.1:0
                    protocol: tcp
                    cluster: tcp-pool
                    ip_policy: %1$s
                clusters:
                  - name: anet-pool
                    endpoints: [ "127.0.0.1:%2$d" ]
                  - name: tcp-pool
                    endpoints: [ "%3$s" ]
                """.formatted(ipPolicy, anetBackend.localAddress().getPort(), tcpBackend.address()), "test.yaml");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void assertAnetServes(RawClient c, int id) throws Exception {
        c.write(frame(id, bytes("req" + id)));
        assertThat(c.readFrame()).isEqualTo(frame(id, bytes("req" + id)));
    }

    private static void assertTcpRelays(RawClient c, String text) throws Exception {
        c.write(bytes(text));
        assertThat(new String(c.readExactly(text.length()), StandardCharsets.US_ASCII)).isEqualTo(text);
    }

    private static AnetListenerStats anet(Gateway g) {
        return (AnetListenerStats) g.listenerStats().get(0);
    }

    private static TcpListenerStats tcp(Gateway g) {
        return (TcpListenerStats) g.listenerStats().get(1);
    }

    @Test
    void bothListenerKindsRefuseByPolicyAndServeTheOthers() throws Exception {
        Gateway gateway = later(Gateway.start(config("{ deny: [ 127.0.0.2 ], max_connections_per_ip: 1 }")));
        InetSocketAddress front = gateway.address("front");
        InetSocketAddress tcpFront = gateway.address("tcp-front");
        try (RawClient denied = RawClient.from("127.0.0.2", front);
             RawClient deniedTcp = RawClient.from("127.0.0.2", tcpFront);
             RawClient ok = RawClient.from("127.0.0.3", front);
             RawClient okTcp = RawClient.from("127.0.0.3", tcpFront)) {
            assertThat(denied.closedByPeerWithin(3_000)).isTrue();
            assertThat(deniedTcp.closedByPeerWithin(3_000)).isTrue();
            assertAnetServes(ok, 1);
            assertTcpRelays(okTcp, "hello");
            try (RawClient second = RawClient.from("127.0.0.3", front);
                 RawClient secondTcp = RawClient.from("127.0.0.3", tcpFront)) {
                assertThat(second.closedByPeerWithin(3_000)).as("max_connections_per_ip: 1").isTrue();
                assertThat(secondTcp.closedByPeerWithin(3_000)).isTrue();
            }
            assertThat(anet(gateway).server().ipRefusals()).containsEntry("denied", 1L).containsEntry("max_connections_per_ip", 1L);
            assertThat(tcp(gateway).ipRefusals()).containsEntry("denied", 1L).containsEntry("max_connections_per_ip", 1L);
            assertThat(tcp(gateway).accepted()).as("refused connections are not accepted").isEqualTo(1);
            assertThat(tcp(gateway).refused()).as("max_connections only").isZero();
        }
    }

    @Test
    void aReloadChangesThePolicyInPlaceWithoutDroppingConnections() throws Exception {
        Gateway gateway = later(Gateway.start(config("{}")));
        InetSocketAddress front = gateway.address("front");
        InetSocketAddress tcpFront = gateway.address("tcp-front");
        List<GatewayListener> before = gateway.listeners();
        try (RawClient open = RawClient.from("127.0.0.2", front);
             RawClient openTcp = RawClient.from("127.0.0.2", tcpFront)) {
            assertAnetServes(open, 1);
            assertTcpRelays(openTcp, "before");

            gateway.reload(config("{ deny: [ 127.0.0.2/32 ] }"));
            assertThat(gateway.listeners()).as("not re-bound").containsExactlyElementsOf(before);
            assertThat(gateway.address("front")).isEqualTo(front);
            assertThat(gateway.listeners().get(1).config().ipPolicy().deny().cidrs()).hasSize(1);
            try (RawClient refused = RawClient.from("127.0.0.2", front);
                 RawClient refusedTcp = RawClient.from("127.0.0.2", tcpFront);
                 RawClient other = RawClient.from("127.0.0.3", front);
                 RawClient otherTcp = RawClient.from("127.0.0.3", tcpFront)) {
                assertThat(refused.closedByPeerWithin(3_000)).isTrue();
                assertThat(refusedTcp.closedByPeerWithin(3_000)).isTrue();
                assertAnetServes(other, 2);
                assertTcpRelays(otherTcp, "other");
            }
            assertAnetServes(open, 3); // admitted before the reload: still served
            assertTcpRelays(openTcp, "after");

            gateway.reload(config("{}"));
            try (RawClient back = RawClient.from("127.0.0.2", front);
                 RawClient backTcp = RawClient.from("127.0.0.2", tcpFront)) {
                assertAnetServes(back, 4);
                assertTcpRelays(backTcp, "back");
            }
            await().atMost(WAIT).until(() -> anet(gateway).server().activeConnections() == 1);
            assertThat(anet(gateway).server().ipRefusals()).containsEntry("denied", 1L);
            assertThat(tcp(gateway).ipRefusals()).containsEntry("denied", 1L);
            assertThat(anet(gateway).server().connectionsAccepted()).isEqualTo(3);
        }
    }
}
