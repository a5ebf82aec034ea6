package dev.netkit.netty.tls;

import static dev.netkit.netty.testing.RawClient.frame;
import static dev.netkit.netty.tls.TlsTesting.WAIT;
import static dev.netkit.netty.tls.TlsTesting.assertEchoes;
import static dev.netkit.netty.tls.TlsTesting.broker;
import static dev.netkit.netty.tls.TlsTesting.bytes;
import static dev.netkit.netty.tls.TlsTesting.server;
import static dev.netkit.netty.tls.TlsTesting.tlsFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.event.ConnectionClosed;
import dev.netkit.core.event.EventBus;
import dev.netkit.core.event.TlsHandshakeFailed;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.EventLog;
import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.TestServers;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** The wrong protocol on a port, stalled handshakes, and the bound on handshakes in progress. */
class TlsWrongProtocolTest {
    private static TlsConfig selfSigned(TlsConfig.Provider provider) {
        return TlsConfig.selfSigned().toBuilder().provider(provider).build();
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void aPlaintextClientOnATlsPortIsClosedAtOnceCountedAndTold(TlsConfig.Provider provider) throws Exception {
        EventLog log = new EventLog();
        try (EventBus bus = EventBus.create(); FrameServer server = server(selfSigned(provider), RequestHandler.echo(), bus)) {
            bus.subscribe(log);
            try (RawClient plain = new RawClient(server.localAddress())) {
                plain.write(frame(7, bytes("hello?")));
                long start = System.nanoTime();
                assertThat(plain.closedByPeerWithin(3_000)).isTrue();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            }
            await().atMost(WAIT).until(() -> server.stats().tlsFailures().get("not_tls") == 1);
            assertThat(server.stats().requests()).isZero();
            await().atMost(WAIT).until(() -> log.of(ConnectionClosed.class).size() == 1);
            assertThat(log.of(ConnectionClosed.class).getFirst().reason()).isEqualTo("tls_not_tls");
            assertThat(log.of(TlsHandshakeFailed.class)).singleElement().satisfies(e -> {
                assertThat(e.reason()).isEqualTo("not_tls");
                assertThat(e.detail()).contains("not an SSL/TLS record");
            });
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void aTlsClientOnAPlaintextPortFailsQuicklyInsteadOfWaitingForAHugeFrame(TlsConfig.Provider provider) {
        EventLog log = new EventLog();
        try (EventBus bus = EventBus.create();
             FrameServer server = FrameServer.builder().config(TestServers.loopback().readTimeout(Duration.ofSeconds(30)).build())
                     .handler(RequestHandler.echo()).events(bus).start()) {
            bus.subscribe(log);
            try (Broker broker = broker(server, TlsConfig.builder().mode(TlsConfig.Mode.SELF_SIGNED).insecure(true).provider(provider).build())) {
                long start = System.nanoTime();
                assertThat(tlsFailure(broker).reason()).isIn("closed_during_handshake", "other");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not the 30 s read timeout").isLessThan(Duration.ofSeconds(3));
            }
            assertThat(server.stats().tlsFailures().get("tls_on_plaintext_port")).isEqualTo(1);
            assertThat(server.stats().readTimeouts()).isZero();
            assertThat(server.stats().protocolViolations()).isZero();
            await().atMost(WAIT).until(() -> log.of(TlsHandshakeFailed.class).size() == 1);
            assertThat(log.of(TlsHandshakeFailed.class).getFirst().reason()).isEqualTo("tls_on_plaintext_port");
            // a plaintext client whose first bytes merely start like a record header is still served
            try (Broker plain = Broker.create(TlsTesting.brokerConfig(server.localAddress(), TlsConfig.none()).build())) {
                assertEchoes(plain, "\u0003 plain after all");
            }
        }
    }

    @Test
    void bytesThatStartLikeAClientHelloButAreAFrameAreServedOnAPlaintextPort() throws Exception {
        try (FrameServer server = TestServers.echo(); RawClient client = new RawClient(server.localAddress())) {
            byte[] payload = new byte[0x1603 - 4];
            payload[0] = 0x02; // correlation 0x0300_0402 would start 16 03 03 00 04 02: not a ClientHello (byte 5 != 1)
            byte[] f = frame(0x03000402, payload);
            client.write(java.util.Arrays.copyOf(f, 3)); // held: 16 03 03 may still be a ClientHello
            client.write(java.util.Arrays.copyOfRange(f, 3, f.length));
            assertThat(client.readFrame()).isEqualTo(f);
            assertThat(server.stats().tlsFailedTotal()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void aStalledHandshakeIsClosedAtTheTimeout(TlsConfig.Provider provider) throws Exception {
        TlsConfig tls = selfSigned(provider).toBuilder().handshakeTimeout(Duration.ofMillis(300)).build();
        try (FrameServer server = server(tls)) {
            try (RawClient silent = new RawClient(server.localAddress());
                 RawClient partial = new RawClient(server.localAddress())) {
                partial.write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01}); // a ClientHello that never finishes
                long start = System.nanoTime();
                assertThat(silent.closedByPeerWithin(3_000)).isTrue();
                assertThat(partial.closedByPeerWithin(3_000)).isTrue();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            }
            await().atMost(WAIT).until(() -> server.stats().tlsFailures().get("handshake_timeout") == 2);
            assertThat(server.stats().tlsFailedTotal()).isEqualTo(2);
            try (Broker broker = broker(server, TlsConfig.pinned(server.tlsFingerprint().orElseThrow()).toBuilder().provider(provider).build())) {
                assertEchoes(broker, "after the stalls");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsConfig.Provider.class, names = {"OPENSSL", "JDK"})
    void aThousandStalledHandshakesLeaveOtherClientsServedAndTheBoundHolds(TlsConfig.Provider provider) throws Exception {
        int stalled = 1_000;
        int bound = stalled + 5;
        TlsConfig tls = selfSigned(provider).toBuilder().maxHandshakes(bound).handshakeTimeout(Duration.ofSeconds(50)).build();
        List<Socket> sockets = new ArrayList<>();
        try (FrameServer server = server(tls)) {
            try {
                for (int i = 0; i < stalled; i++) {
                    Socket s = new Socket();
                    sockets.add(s);
                    s.connect(server.localAddress(), 3_000);
                }
                await().atMost(WAIT).until(() -> server.stats().connectionsAccepted() == stalled);
                try (Broker broker = broker(server, TlsConfig.pinned(server.tlsFingerprint().orElseThrow()).toBuilder().provider(provider).build())) {
                    for (int i = 0; i < 20; i++) {
                        assertEchoes(broker, "still served " + i);
                    }
                }
                assertThat(server.stats().tlsHandshakes()).isEqualTo(1);
                for (int i = 0; i < 10; i++) { // 5 slots left: the other 5 are closed at once
                    Socket s = new Socket();
                    sockets.add(s);
                    s.connect(server.localAddress(), 3_000);
                }
                await().atMost(WAIT).until(() -> server.stats().tlsFailures().get("too_many_handshakes") == 5);
                assertThat(server.stats().connectionsAccepted()).isEqualTo(stalled + 1 + 5);
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
            await().atMost(WAIT).until(() -> server.stats().activeConnections() == 0);
            assertThat(server.stats().tlsFailures().get("handshake_timeout")).as("they left before the timeout").isZero();
        }
    }
}
