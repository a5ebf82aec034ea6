package dev.netkit.netty.server;

import static dev.netkit.netty.testing.RawClient.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.event.ConnectionClosed;
import dev.netkit.core.event.EventBus;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerConfig;
import dev.netkit.netty.client.BrokerHooks;
import dev.netkit.netty.testing.EventLog;
import dev.netkit.netty.testing.HeldRequests;
import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.TestServers;
import dev.netkit.netty.transport.IoGroup;
import dev.netkit.netty.transport.TransportKind;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** What a proxy needs from the server: a bound per connection, closing on request, shared event loops. */
class ServerProxySupportTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aConnectionAtItsInFlightBoundIsNotReadUntilOneCompletes() throws Exception {
        HeldRequests held = new HeldRequests();
        try (FrameServer server = FrameServer.builder()
                .config(TestServers.loopback().maxInFlightPerConnection(2).readTimeout(Duration.ofMillis(300)).build())
                .asyncHandler(held).start();
             RawClient client = new RawClient(server.localAddress())) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int i = 1; i <= 5; i++) {
                all.write(frame(i, bytes("r" + i)));
            }
            client.write(all.toByteArray());
            HeldRequests.Held first = held.next();
            HeldRequests.Held second = held.next();
            // Longer than the read timeout: a connection paused at its bound is not timed out either.
            await().during(Duration.ofMillis(600)).atMost(WAIT).until(() -> held.started() == 2);
            first.echo();
            assertThat(client.readFrame()).isEqualTo(frame(1, bytes("r1")));
            HeldRequests.Held third = held.next();
            assertThat(held.started()).isEqualTo(3);
            second.echo();
            third.echo();
            assertThat(client.readFrame()).isEqualTo(frame(2, bytes("r2")));
            assertThat(client.readFrame()).isEqualTo(frame(3, bytes("r3")));
            held.next().echo();
            held.next().echo();
            assertThat(client.readFrame()).isEqualTo(frame(4, bytes("r4")));
            assertThat(client.readFrame()).isEqualTo(frame(5, bytes("r5")));
            assertThat(server.stats().readTimeouts()).isZero();
        }
    }

    @Test
    void aHandlerCanCloseTheConnectionAfterTheAnswersItOwes() throws Exception {
        HeldRequests held = new HeldRequests();
        EventLog log = new EventLog();
        try (EventBus bus = EventBus.create();
             FrameServer server = FrameServer.builder().config(TestServers.loopback().build())
                     .asyncHandler(held).events(bus).start();
             RawClient client = new RawClient(server.localAddress())) {
            bus.subscribe(log);
            client.write(frame(1, bytes("owed")));
            HeldRequests.Held owed = held.next();
            client.write(frame(2, bytes("refused")));
            held.next().reply().completeExceptionally(new CloseConnectionException("no upstream for this request"));
            owed.echo();
            assertThat(client.readFrame()).isEqualTo(frame(1, bytes("owed")));
            assertThat(client.closedByPeerWithin(3_000)).isTrue();
            assertThat(server.stats().handlerClosed()).isEqualTo(1);
            assertThat(server.stats().handlerErrors()).isZero();
            await().atMost(WAIT).until(() -> log.of(ConnectionClosed.class).size() == 1);
            assertThat(log.of(ConnectionClosed.class).getFirst().reason()).isEqualTo("handler_closed");
        }
    }

    @Test
    void anAnswerForAClientThatLeftIsDiscardedAndCounted() throws Exception {
        HeldRequests held = new HeldRequests();
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().build()).asyncHandler(held).start()) {
            RawClient client = new RawClient(server.localAddress());
            client.write(frame(1, bytes("x")));
            HeldRequests.Held late = held.next();
            client.reset(); // gone (a FIN alone would be a half-close, which still gets its answers)
            await().atMost(WAIT).until(() -> server.stats().activeConnections() == 0);
            late.echo();
            await().atMost(WAIT).until(() -> server.stats().discardedResponses() == 1);
            assertThat(server.stats().responses()).isZero();
        }
    }

    @Test
    void aServerAndABrokerShareEventLoopsAndNeitherStopsThem() throws Exception {
        try (IoGroup io = IoGroup.create(TransportKind.AUTO, 1, "shared-io");
             FrameServer backend = TestServers.echo()) {
            FrameServer front;
            Broker upstream = Broker.create(BrokerConfig.builder().endpoints(backend.localAddress().getHostString()
                    + ":" + backend.localAddress().getPort()).build(), BrokerHooks.none(), io);
            // A proxy in three lines: the front's async handler forwards to the broker on the same loop.
            front = FrameServer.builder().config(TestServers.loopback().build()).io(io)
                    .asyncHandler((request, alloc) -> {
                        byte[] payload = new byte[request.readableBytes()];
                        request.readBytes(payload);
                        return upstream.send(payload).thenApply(Unpooled::wrappedBuffer);
                    }).start();
            try (RawClient client = new RawClient(front.localAddress())) {
                client.write(frame(7, bytes("via")));
                assertThat(client.readFrame()).isEqualTo(frame(7, bytes("via")));
            }
            front.stop();
            assertThat(upstream.send(bytes("still")).get()).isEqualTo(bytes("still"));
            CompletableFuture<Void> closed = upstream.closeAsync();
            closed.get();
            assertThat(io.eventLoops().isShuttingDown()).isFalse();
        }
    }
}
