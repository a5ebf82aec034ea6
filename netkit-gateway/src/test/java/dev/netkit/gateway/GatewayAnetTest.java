package dev.netkit.gateway;

import static dev.netkit.netty.testing.RawClient.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.gateway.config.GatewayConfig;
import dev.netkit.gateway.config.GatewayConfigParser;
import dev.netkit.gateway.AnetListenerStats;
import dev.netkit.gateway.internal.anet.AnetProxyListener;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerConfig;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.TestServers;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The request-level gateway end to end: routes, balancing, multiplexing, failure behaviour, reload. */
class GatewayAnetTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final List<AutoCloseable> toClose = new ArrayList<>();

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

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A backend that answers with its name and the request: "NAME:payload". */
    private FrameServer named(String name) {
        return later(FrameServer.builder().config(TestServers.loopback().build())
                .handler((request, alloc) -> Unpooled.wrappedBuffer(bytes(name + ":"), bytes(request.toString(StandardCharsets.US_ASCII))))
                .start());
    }

    private static String at(FrameServer s) {
        return "127.0.0.1:" + s.localAddress().getPort();
    }

    static GatewayConfig parse(String yaml) {
        return new GatewayConfigParser().parse(yaml, "test.yaml");
    }

    private Broker client(InetSocketAddress gateway) {
        return later(Broker.create(BrokerConfig.builder().endpoints("127.0.0.1:" + gateway.getPort())
                .requestTimeout(Duration.ofSeconds(3)).build()));
    }

    private static String call(Broker b, String payload) {
        return new String(b.call(bytes(payload)), StandardCharsets.US_ASCII);
    }

    private static AnetListenerStats stats(Gateway g, String name) {
        return g.listenerStats().stream().filter(s -> s instanceof AnetListenerStats a && a.name().equals(name))
                .map(AnetListenerStats.class::cast).findFirst().orElseThrow();
    }

    @Test
    void requestsAreRoutedByPayloadAndBalancedPerRequestOverFewUpstreamConnections() {
        FrameServer fast = named("fast");
        FrameServer a1 = named("a1");
        FrameServer a2 = named("a2");
        Gateway gateway = later(Gateway.start(parse("""
                listeners:
                  - name: front
                    bind: 127.0.0.1:0
                    protocol: anet
                    routes:
                      - match: { offset: 0, text: "F" }
                        cluster: fast
                      - cluster: all
                clusters:
                  - name: fast
                    endpoints: [ "%s" ]
                  - name: all
                    endpoints: [ "%s", "%s" ]
                    lb: round-robin
                """.formatted(at(fast), at(a1), at(a2)))));
        InetSocketAddress front = gateway.address("front");
        List<Broker> clients = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            clients.add(client(front));
        }
        Set<String> reached = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            Broker c = clients.get(i % clients.size());
            assertThat(call(c, "F" + i)).isEqualTo("fast:F" + i);
            String answer = call(c, "x" + i);
            assertThat(answer).endsWith(":x" + i);
            reached.add(answer.substring(0, answer.indexOf(':')));
        }
        assertThat(reached).containsExactlyInAnyOrder("a1", "a2");
        assertThat(stats(gateway, "front").answered()).isEqualTo(80);
        // 8 client connections, one upstream connection per endpoint (the pool's default maximum)
        assertThat(a1.stats().connectionsAccepted() + a2.stats().connectionsAccepted()).isLessThanOrEqualTo(2 + 2);
        assertThat(stats(gateway, "front").server().connectionsAccepted()).isEqualTo(8);
    }

    @Test
    void aRequestWithNoRouteOrNoEndpointIsDroppedOrClosesTheClientAsConfigured() throws Exception {
        int dead = TestServers.deadPort();
        Gateway gateway = later(Gateway.start(parse("""
                listeners:
                  - name: drop
                    bind: 127.0.0.1:0
                    protocol: anet
                    routes:
                      - match: { offset: 0, text: "ok" }
                        cluster: down
                  - name: close
                    bind: 127.0.0.1:0
                    protocol: anet
                    on_failure: close
                    cluster: down
                clusters:
                  - name: down
                    endpoints: [ "127.0.0.1:%d" ]
                    health: { enabled: false }
                    timeouts: { request: 1s, connect: 200ms }
                """.formatted(dead))));
        try (RawClient c = new RawClient(gateway.address("drop"), 3_000)) {
            c.write(frame(1, bytes("no route")));
            c.write(frame(2, bytes("ok, but down")));
            assertThat(c.closedByPeerWithin(1_500)).as("dropped: no answer, connection stays").isFalse();
        }
        await().atMost(WAIT).until(() -> stats(gateway, "drop").dropped() == 2);
        assertThat(stats(gateway, "drop").failures()).containsEntry("no_route", 1L).hasSize(2);
        try (RawClient c = new RawClient(gateway.address("close"), 3_000)) {
            c.write(frame(1, bytes("anything")));
            assertThat(c.closedByPeerWithin(3_000)).as("closed: the client learns at once").isTrue();
        }
        assertThat(stats(gateway, "close").closed()).isEqualTo(1);
    }

    @Test
    void aReloadSwapsRoutesAndClustersWithoutDroppingClientConnections() throws Exception {
        FrameServer one = named("one");
        FrameServer two = named("two");
        String yaml = """
                listeners:
                  - name: front
                    bind: 127.0.0.1:0
                    protocol: anet
                    cluster: %s
                clusters:
                  - name: c1
                    endpoints: [ "%s" ]
                  - name: c2
                    endpoints: [ "%s" ]
                """;
        Gateway gateway = later(Gateway.start(parse(yaml.formatted("c1", at(one), at(two)))));
        Broker c = client(gateway.address("front"));
        assertThat(call(c, "a")).isEqualTo("one:a");
        long accepted = stats(gateway, "front").server().connectionsAccepted();
        gateway.reload(parse(yaml.formatted("c2", at(one), at(two))));
        assertThat(call(c, "b")).isEqualTo("two:b");
        assertThat(gateway.address("front")).as("not re-bound").isEqualTo(gateway.address("front"));
        assertThat(stats(gateway, "front").server().connectionsAccepted()).as("the client kept its connection").isEqualTo(accepted);
        // endpoints change in place: the cluster's broker keeps running and takes the new endpoint
        gateway.reload(parse(yaml.formatted("c2", at(one), at(one))));
        assertThat(call(c, "c")).isEqualTo("one:c");
        assertThat(stats(gateway, "front").server().connectionsAccepted()).isEqualTo(accepted);
    }

    @Test
    void aReloadThatCannotBindKeepsTheRunningConfiguration() throws Exception {
        FrameServer one = named("one");
        FrameServer squatter = named("squatter");
        Gateway gateway = later(Gateway.start(parse("""
                listeners:
                  - name: front
                    bind: 127.0.0.1:0
                    protocol: anet
                    cluster: c1
                clusters:
                  - name: c1
                    endpoints: [ "%s" ]
                """.formatted(at(one)))));
        GatewayConfig before = gateway.config();
        GatewayConfig clash = parse("""
                listeners:
                  - name: front
                    bind: 127.0.0.1:0
                    protocol: anet
                    cluster: c1
                  - name: second
                    bind: 127.0.0.1:%d
                    protocol: anet
                    cluster: c1
                clusters:
                  - name: c1
                    endpoints: [ "%s" ]
                """.formatted(squatter.localAddress().getPort(), at(one)));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> gateway.reload(clash))
                .isInstanceOf(GatewayException.class).hasMessageContaining("second").hasMessageContaining("cannot bind");
        assertThat(gateway.config()).isSameAs(before);
        assertThat(gateway.listeners()).hasSize(1).allMatch(l -> l instanceof AnetProxyListener);
        assertThat(call(client(gateway.address("front")), "still")).isEqualTo("one:still");
    }
}
