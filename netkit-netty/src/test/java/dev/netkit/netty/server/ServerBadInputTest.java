package dev.netkit.netty.server;

import static dev.netkit.netty.testing.RawClient.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.netty.testing.HeldRequests;
import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.TestServers;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Malformed, slow, partial and abusive input to the server, over real loopback sockets. */
class ServerBadInputTest {
    private static final HexFormat HEX = HexFormat.of();
    private final List<FrameServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(FrameServer::stop);
    }

    private FrameServer echo(FrameServerConfig.Builder config) {
        FrameServer s = FrameServer.builder().config(config.build()).handler(RequestHandler.echo()).start();
        servers.add(s);
        return s;
    }

    private FrameServer start(FrameServer.Builder builder) {
        FrameServer s = builder.start();
        servers.add(s);
        return s;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @ParameterizedTest(name = "LEN {0}")
    @ValueSource(ints = {0, 1, 3})
    void lengthBelowFourClosesThatConnectionOnly(int len) throws Exception {
        FrameServer server = echo(TestServers.loopback());
        try (RawClient bad = new RawClient(server.localAddress()); RawClient good = new RawClient(server.localAddress())) {
            bad.write(new byte[] {(byte) (len >> 8), (byte) len, 1, 2, 3, 4});
            assertThat(bad.closedByPeerWithin(3_000)).isTrue();
            await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().protocolViolations() == 1);

            good.write(frame(9, bytes("still-up")));
            assertThat(good.readFrame()).isEqualTo(frame(9, bytes("still-up")));
        }
    }

    @Test
    void headerPromisingMoreBytesThanEverComeIsClosedByTheReadTimeout() throws Exception {
        FrameServer server = echo(TestServers.loopback().readTimeout(Duration.ofMillis(200)));
        try (RawClient client = new RawClient(server.localAddress())) {
            client.write(HEX.parseHex("0064" + "00000001" + "0102030405")); // LEN 100, 9 bytes sent
            assertThat(client.closedByPeerWithin(5_000)).isTrue();
            assertThat(server.stats().readTimeouts()).isEqualTo(1);
        }
    }

    @Test
    void aSlowButCompleteFrameWithinTheReadTimeoutIsAnswered() throws Exception {
        FrameServer server = echo(TestServers.loopback().readTimeout(Duration.ofSeconds(5)));
        try (RawClient client = new RawClient(server.localAddress())) {
            byte[] f = frame(77, bytes("one byte at a time"));
            for (byte b : f) {
                client.write(new byte[] {b});
            }
            assertThat(client.readFrame()).isEqualTo(f);
            assertThat(server.stats().readTimeouts()).isZero();
        }
    }

    @Test
    void thousandFramesInOneWriteGetThousandResponsesInOrder() throws Exception {
        FrameServer server = echo(TestServers.loopback());
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < 1000; i++) {
            all.write(frame(i, bytes("request-" + i)));
        }
        try (RawClient client = new RawClient(server.localAddress())) {
            client.write(all.toByteArray());
            for (int i = 0; i < 1000; i++) {
                assertThat(client.readFrame()).as("response %d", i).isEqualTo(frame(i, bytes("request-" + i)));
            }
        }
        assertThat(server.stats().requests()).isEqualTo(1000);
    }

    @Test
    void largestPayloadIsEchoedAndOneByteMoreIsDroppedWithoutHurtingTheConnection() throws Exception {
        byte[] max = new byte[65_531];
        Arrays.fill(max, (byte) 'x');
        // The handler answers "grow" with a payload one byte over the limit.
        RequestHandler handler = (request, alloc) -> request.readableBytes() == 4
                ? Unpooled.wrappedBuffer(new byte[65_532])
                : request.retain();
        FrameServer server = start(FrameServer.builder().config(TestServers.loopback().build()).handler(handler));
        try (RawClient client = new RawClient(server.localAddress())) {
            client.write(frame(1, max));
            byte[] response = client.readFrame();
            assertThat(response).hasSize(6 + 65_531);
            assertThat(HEX.formatHex(response, 0, 6)).isEqualTo("ffff00000001");

            client.write(frame(2, bytes("grow")));
            client.write(frame(3, bytes("after")));
            assertThat(client.readFrame()).isEqualTo(frame(3, bytes("after")));
            assertThat(server.stats().oversizedResponses()).isEqualTo(1);
        }
    }

    @Test
    void garbageAfterAValidFrameAnswersTheFrameThenCloses() throws Exception {
        FrameServer server = echo(TestServers.loopback());
        try (RawClient client = new RawClient(server.localAddress())) {
            ByteBuffer b = ByteBuffer.allocate(64);
            b.put(frame(5, bytes("ok"))).put(HEX.parseHex("0002ffffffff"));
            client.write(Arrays.copyOf(b.array(), b.position()));
            assertThat(client.readFrame()).isEqualTo(frame(5, bytes("ok")));
            assertThat(client.closedByPeerWithin(3_000)).isTrue();
            assertThat(server.stats().protocolViolations()).isEqualTo(1);
        }
    }

    @Test
    void halfClosedClientStillGetsEveryResponse() throws Exception {
        HeldRequests held = new HeldRequests();
        FrameServer server = start(FrameServer.builder().config(TestServers.loopback().build()).asyncHandler(held));
        try (RawClient client = new RawClient(server.localAddress())) {
            client.write(frame(1, bytes("a")));
            client.write(frame(2, bytes("b")));
            client.write(frame(3, bytes("c")));
            client.shutdownOutput(); // FIN: the client will send nothing more
            List<HeldRequests.Held> requests = List.of(held.next(), held.next(), held.next());
            requests.forEach(HeldRequests.Held::echo);
            assertThat(List.of(client.readFrame(), client.readFrame(), client.readFrame()))
                    .containsExactlyInAnyOrder(frame(1, bytes("a")), frame(2, bytes("b")), frame(3, bytes("c")));
            assertThat(client.closedByPeerWithin(3_000)).as("closed once every response was sent").isTrue();
        }
    }

    @Test
    void resetMidFrameLeavesTheServerServingOthers() throws Exception {
        FrameServer server = echo(TestServers.loopback());
        RawClient resetter = new RawClient(server.localAddress());
        resetter.write(HEX.parseHex("0010" + "0000"));
        await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().activeConnections() == 1);
        resetter.reset();
        await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().activeConnections() == 0);
        try (RawClient client = new RawClient(server.localAddress())) {
            client.write(frame(1, bytes("fine")));
            assertThat(client.readFrame()).isEqualTo(frame(1, bytes("fine")));
        }
    }

    @Test
    void clientLeavingWithRequestsInFlightLosesNothingOnTheServer() throws Exception {
        HeldRequests held = new HeldRequests();
        FrameServer server = start(FrameServer.builder().config(TestServers.loopback().build()).asyncHandler(held));
        RawClient client = new RawClient(server.localAddress());
        for (int i = 0; i < 5; i++) {
            client.write(frame(i, bytes("r" + i)));
        }
        List<HeldRequests.Held> requests = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            requests.add(held.next());
        }
        client.reset();
        await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().activeConnections() == 0);
        requests.forEach(HeldRequests.Held::echo); // answers to a departed client are released, not leaked
        await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().inFlight() == 0);
        try (RawClient other = new RawClient(server.localAddress())) {
            other.write(frame(9, bytes("next")));
            held.next().echo();
            assertThat(other.readFrame()).isEqualTo(frame(9, bytes("next")));
        }
    }

    @Test
    void aThrowingHandlerIsIsolated() throws Exception {
        RequestHandler handler = (request, alloc) -> {
            if (request.toString(StandardCharsets.US_ASCII).equals("boom")) {
                throw new IllegalStateException("handler bug");
            }
            return request.retain();
        };
        FrameServer server = start(FrameServer.builder().config(TestServers.loopback().build()).handler(handler));
        try (RawClient client = new RawClient(server.localAddress())) {
            client.write(frame(1, bytes("boom")));
            client.write(frame(2, bytes("fine")));
            assertThat(client.readFrame()).as("no reply to the failed request").isEqualTo(frame(2, bytes("fine")));
            assertThat(server.stats().handlerErrors()).isEqualTo(1);
        }
    }

    @Test
    void asyncResponsesMayCompleteOutOfOrderAndKeepTheirCorrelation() throws Exception {
        HeldRequests held = new HeldRequests();
        FrameServer server = start(FrameServer.builder().config(TestServers.loopback().build()).asyncHandler(held));
        try (RawClient client = new RawClient(server.localAddress())) {
            client.write(frame(0xA, bytes("first")));
            client.write(frame(0xB, bytes("second")));
            HeldRequests.Held first = held.next();
            HeldRequests.Held second = held.next();
            second.echo();
            assertThat(client.readFrame()).isEqualTo(frame(0xB, bytes("second")));
            first.echo();
            assertThat(client.readFrame()).isEqualTo(frame(0xA, bytes("first")));
        }
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        FrameServer server = echo(TestServers.loopback().idleTimeout(Duration.ofMillis(200)));
        try (RawClient client = new RawClient(server.localAddress())) {
            assertThat(client.closedByPeerWithin(5_000)).isTrue();
            assertThat(server.stats().idleTimeouts()).isEqualTo(1);
        }
    }

    @Test
    void aClientThatNeverReadsIsClosedByTheWriteTimeoutAndReadingStops() throws Exception {
        RequestHandler big = (request, alloc) -> Unpooled.wrappedBuffer(new byte[60_000]);
        FrameServer server = start(FrameServer.builder()
                .config(TestServers.loopback().writeTimeout(Duration.ofMillis(300)).build()).handler(big));
        try (RawClient client = new RawClient(server.localAddress())) {
            client.socket().setReceiveBufferSize(4096);
            byte[] burst = new byte[6 * 2_000];
            for (int i = 0; i < 2_000; i++) {
                System.arraycopy(frame(i, new byte[0]), 0, burst, i * 6, 6);
            }
            client.write(burst); // 2,000 requests asking for 120 MB of responses, never read
            await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().writeTimeouts() == 1);
            assertThat(server.stats().requests())
                    .as("no new request starts while the socket is unwritable, so a few MB are queued, not 120")
                    .isLessThan(200);
        }
    }
}
