package dev.netkit.netty.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerConfig;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.TestServers;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The exact bytes on the wire, seen from plain java.net sockets on both sides. */
class WireBytesTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void serverEchoesTheAnetExampleByteForByte() throws Exception {
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().build())
                .handler(RequestHandler.echo()).start();
             RawClient client = new RawClient(server.localAddress())) {
            client.write(HEX.parseHex("0009000000076865" + "6c6c6f"));
            assertThat(HEX.formatHex(client.readExactly(11))).isEqualTo("00090000000768656c6c6f");

            client.write(HEX.parseHex("0004deadbeef")); // empty payload: LEN = 4
            assertThat(HEX.formatHex(client.readExactly(6))).isEqualTo("0004deadbeef");
        }
    }

    @Test
    void serverKeepsCorrelationBytesOpaqueAndAnswersWithHandlerOutput() throws Exception {
        RequestHandler upper = RequestHandler.ofBytes(b -> new String(b, StandardCharsets.US_ASCII)
                .toUpperCase().getBytes(StandardCharsets.US_ASCII));
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().build()).handler(upper).start();
             RawClient client = new RawClient(server.localAddress())) {
            // correlation "ABCD" as ASCII, as anet's original random-ASCII ids were
            client.write(HEX.parseHex("0007" + "41424344" + "616263"));
            assertThat(HEX.formatHex(client.readExactly(9))).isEqualTo("0007" + "41424344" + "414243");
        }
    }

    @Test
    void brokerWritesTheAnetFrameAndMatchesTheEchoedId() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Broker broker = Broker.create(BrokerConfig.builder()
                     .endpoints("127.0.0.1:" + listener.getLocalPort()).build())) {
            CompletableFuture<byte[]> reply = broker.send("hello".getBytes(StandardCharsets.US_ASCII));
            try (Socket peer = listener.accept()) {
                peer.setSoTimeout(5_000);
                DataInputStream in = new DataInputStream(peer.getInputStream());
                byte[] request = new byte[11];
                in.readFully(request);
                // LEN 9, first id 1 (big-endian), payload
                assertThat(HEX.formatHex(request)).isEqualTo("0009" + "00000001" + "68656c6c6f");
                OutputStream out = peer.getOutputStream();
                out.write(HEX.parseHex("0006" + "00000001" + "6f6b")); // "ok"
                out.flush();
                assertThat(new String(reply.get(5, TimeUnit.SECONDS), StandardCharsets.US_ASCII)).isEqualTo("ok");
            }
        }
    }
}
