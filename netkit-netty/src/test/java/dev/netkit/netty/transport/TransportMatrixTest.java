package dev.netkit.netty.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerConfig;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.TestServers;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Server and broker on every transport this machine offers, pipelined, both sides the same. */
class TransportMatrixTest {
    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void pipelinedRoundTripsOnEveryTransport(TransportKind transport) throws Exception {
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().transport(transport).build())
                .handler(RequestHandler.echo()).start();
             Broker broker = Broker.create(BrokerConfig.builder().transport(transport)
                     .endpoints("127.0.0.1:" + server.localAddress().getPort()).connectionsPerEndpoint(2).build())) {
            String expected = transport == TransportKind.AUTO ? "epoll" : transport.name().toLowerCase(Locale.ROOT);
            assertThat(server.transportName()).isEqualTo(expected);
            assertThat(broker.transportName()).isEqualTo(expected);
            List<CompletableFuture<byte[]>> replies = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                replies.add(broker.send(ByteBuffer.allocate(4 + i).putInt(i).array()));
            }
            for (int i = 0; i < 400; i++) {
                assertThat(ByteBuffer.wrap(replies.get(i).get(5, TimeUnit.SECONDS)).getInt()).isEqualTo(i);
            }
            assertThat(server.stats().requests()).isEqualTo(400);
        }
    }
}
