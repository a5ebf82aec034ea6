package dev.netkit.gateway;

import static dev.netkit.netty.testing.RawClient.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.gateway.AnetListenerStats;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.testing.HeldRequests;
import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.ScriptedPeer;
import dev.netkit.netty.testing.TestServers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What bad clients and bad upstreams get from the request-level gateway, and that nobody else suffers. */
class GatewayBadInputTest {
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

    private Gateway gateway(String onFailure, String endpoint, String requestTimeout) {
        return later(Gateway.start(GatewayAnetTest.parse("""
                listeners:
                  - name: front
                    bind: 127.0.0.1:0
                    protocol: anet
                    on_failure: %s
                    cluster: up
                clusters:
                  - name: up
                    endpoints: [ "%s" ]
                    health: { enabled: false }
                    outlier: { enabled: false }
                    breaker: { enabled: false }
                    timeouts: { request: %s }
                """.formatted(onFailure, endpoint, requestTimeout))));
    }

    private static AnetListenerStats stats(Gateway g) {
        return (AnetListenerStats) g.listenerStats().getFirst();
    }

    @Test
    void garbageFromOneClientClosesThatClientOnly() throws Exception {
        FrameServer echo = later(TestServers.echo());
        Gateway g = gateway("drop", "127.0.0.1:" + echo.localAddress().getPort(), "2s");
        try (RawClient good = new RawClient(g.address("front"));
             RawClient bad = new RawClient(g.address("front"))) {
            good.write(frame(1, bytes("before")));
            assertThat(good.readFrame()).isEqualTo(frame(1, bytes("before")));
            bad.write(new byte[] {0, 2, 'x', 'y'}); // LEN 2 < 4
            assertThat(bad.closedByPeerWithin(3_000)).isTrue();
            good.write(frame(2, bytes("after")));
            assertThat(good.readFrame()).isEqualTo(frame(2, bytes("after")));
        }
        assertThat(stats(g).server().protocolViolations()).isEqualTo(1);
    }

    @Test
    void anAnswerForAClientThatLeftIsDiscardedAndCounted() throws Exception {
        HeldRequests held = new HeldRequests();
        FrameServer slow = later(FrameServer.builder().config(TestServers.loopback().build()).asyncHandler(held).start());
        Gateway g = gateway("drop", "127.0.0.1:" + slow.localAddress().getPort(), "5s");
        RawClient leaving = new RawClient(g.address("front"));
        leaving.write(frame(1, bytes("orphan")));
        HeldRequests.Held request = held.next();
        leaving.reset();
        await().atMost(WAIT).until(() -> stats(g).server().activeConnections() == 0);
        request.echo();
        await().atMost(WAIT).until(() -> stats(g).server().discardedResponses() == 1);
        assertThat(stats(g).answered()).isEqualTo(1);
    }

    @Test
    void anUpstreamThatNeverAnswersTimesOutAndTheClientSeesTheConfiguredBehaviourWithinTheDeadline() throws Exception {
        try (ScriptedPeer silent = new ScriptedPeer()) {
            Gateway g = gateway("close", silent.endpoint(), "500ms");
            try (RawClient c = new RawClient(g.address("front"))) {
                long start = System.nanoTime();
                c.write(frame(1, bytes("hello?")));
                silent.accept();
                assertThat(silent.read().payload()).isEqualTo(bytes("hello?"));
                assertThat(c.closedByPeerWithin(3_000)).isTrue();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
            }
            assertThat(stats(g).failures()).containsEntry("timeout", 1L);
            assertThat(stats(g).closed()).isEqualTo(1);
        }
    }

    @Test
    void anUpstreamAnsweringAnUnknownIdLosesItsConnectionAndEachRequestCompletesOnce() throws Exception {
        try (ScriptedPeer liar = new ScriptedPeer()) {
            Gateway g = gateway("close", liar.endpoint(), "2s");
            try (RawClient c = new RawClient(g.address("front"))) {
                c.write(frame(7, bytes("q")));
                liar.accept();
                ScriptedPeer.Request r = liar.read();
                liar.reply(r.id() + 12345, bytes("not yours")); // an id never sent: a protocol violation
                assertThat(c.closedByPeerWithin(3_000)).as("the request failed: on_failure close").isTrue();
            }
            assertThat(liar.receivesAnythingWithin(2_000)).as("the gateway closed that upstream connection").isFalse();
            assertThat(stats(g).failures()).hasSize(1).containsKey("protocol_violation");
            assertThat(stats(g).requests()).isEqualTo(1);
            assertThat(stats(g).answered() + stats(g).closed() + stats(g).dropped()).as("exactly once").isEqualTo(1);
        }
    }

    @Test
    void anUpstreamSendingAFrameBelowTheMinimumLosesItsConnection() throws Exception {
        try (ScriptedPeer broken = new ScriptedPeer()) {
            Gateway g = gateway("drop", broken.endpoint(), "2s");
            try (RawClient c = new RawClient(g.address("front"))) {
                c.write(frame(9, bytes("q")));
                broken.accept();
                broken.read();
                broken.writeRaw(ByteBuffer.allocate(3).putShort((short) 1).put((byte) 0).array());
                await().atMost(WAIT).until(() -> stats(g).dropped() == 1);
                assertThat(c.closedByPeerWithin(500)).as("drop: the client keeps its connection").isFalse();
            }
            assertThat(stats(g).failures()).containsOnlyKeys("protocol_violation");
        }
    }
}
