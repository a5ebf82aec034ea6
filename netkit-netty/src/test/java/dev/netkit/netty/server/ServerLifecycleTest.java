package dev.netkit.netty.server;

import static dev.netkit.netty.testing.RawClient.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netkit.netty.testing.HeldRequests;
import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.TestServers;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Limits, graceful stop and handler modes. */
class ServerLifecycleTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAtOnceAndCounted() throws Exception {
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().maxConnections(2).build())
                .handler(RequestHandler.echo()).start();
             RawClient a = new RawClient(server.localAddress());
             RawClient b = new RawClient(server.localAddress())) {
            await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().activeConnections() == 2);
            try (RawClient c = new RawClient(server.localAddress())) {
                assertThat(c.closedByPeerWithin(3_000)).as("the client reads end-of-stream").isTrue();
            }
            assertThat(server.stats().connectionsRejected()).isEqualTo(1);
            a.write(frame(1, bytes("a")));
            b.write(frame(2, bytes("b")));
            assertThat(a.readFrame()).isEqualTo(frame(1, bytes("a")));
            assertThat(b.readFrame()).isEqualTo(frame(2, bytes("b")));
        }
    }

    @Test
    void concurrencyLimitStopsStartingRequestsUntilOneCompletes() throws Exception {
        HeldRequests held = new HeldRequests();
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().maxConcurrentRequests(2).build())
                .asyncHandler(held).start();
             RawClient client = new RawClient(server.localAddress())) {
            for (int i = 0; i < 5; i++) {
                client.write(frame(i, bytes("r" + i)));
            }
            HeldRequests.Held first = held.next();
            HeldRequests.Held second = held.next();
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> held.started() == 2);
            assertThat(server.stats().inFlight()).isEqualTo(2);

            first.echo();
            HeldRequests.Held third = held.next();
            assertThat(held.started()).isEqualTo(3);
            second.echo();
            third.echo();
            held.next().echo();
            held.next().echo();
            List<byte[]> responses = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                responses.add(client.readFrame());
            }
            assertThat(responses).extracting(r -> new String(r, 6, r.length - 6, StandardCharsets.US_ASCII))
                    .containsExactlyInAnyOrder("r0", "r1", "r2", "r3", "r4");
        }
    }

    @Test
    void stopFinishesInFlightRequestsThenClosesAndRefusesNewConnections() throws Exception {
        HeldRequests held = new HeldRequests();
        FrameServer server = FrameServer.builder().config(TestServers.loopback().build()).asyncHandler(held).start();
        InetSocketAddress address = server.localAddress();
        try (RawClient client = new RawClient(address)) {
            client.write(frame(1, bytes("in-flight-1")));
            client.write(frame(2, bytes("in-flight-2")));
            HeldRequests.Held one = held.next();
            HeldRequests.Held two = held.next();

            CompletableFuture<Void> stopped = server.stopAsync();
            await().atMost(Duration.ofSeconds(3)).until(() -> !canConnect(address));
            assertThat(stopped).isNotDone();

            one.echo();
            two.echo();
            assertThat(List.of(client.readFrame(), client.readFrame()))
                    .containsExactlyInAnyOrder(frame(1, bytes("in-flight-1")), frame(2, bytes("in-flight-2")));
            assertThat(client.closedByPeerWithin(3_000)).isTrue();
            stopped.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void stopGivesUpOnRequestsThatOutliveTheShutdownTimeout() throws Exception {
        HeldRequests held = new HeldRequests();
        FrameServer server = FrameServer.builder()
                .config(TestServers.loopback().shutdownTimeout(Duration.ofMillis(200)).build()).asyncHandler(held).start();
        try (RawClient client = new RawClient(server.localAddress())) {
            client.write(frame(1, bytes("never answered")));
            HeldRequests.Held stuck = held.next();
            server.stopAsync().get(5, TimeUnit.SECONDS);
            assertThat(client.closedByPeerWithin(3_000)).isTrue();
            stuck.reply().complete(Unpooled.wrappedBuffer(bytes("too late"))); // released, not leaked
        }
    }

    @Test
    void stopIsIdempotentAndSafeFromManyThreads() throws Exception {
        FrameServer server = FrameServer.builder().config(TestServers.loopback().build()).handler(RequestHandler.echo()).start();
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            stops.add(CompletableFuture.runAsync(server::stop));
        }
        CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        server.stop();
        assertThat(server.stopAsync()).isCompleted();
        assertThat(canConnect(server.localAddress())).isFalse();
    }

    @Test
    void blockingHandlersRunOnVirtualThreadsNotOnTheEventLoop() throws Exception {
        RequestHandler whereAmI = (request, alloc) -> Unpooled.wrappedBuffer(
                bytes(Thread.currentThread().isVirtual() + "/" + Thread.currentThread().getName()));
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().build()).blockingHandler(whereAmI).start();
             RawClient client = new RawClient(server.localAddress())) {
            client.write(frame(1, bytes("?")));
            byte[] response = client.readFrame();
            assertThat(new String(response, 6, response.length - 6, StandardCharsets.US_ASCII)).startsWith("true/netkit-handler-");
        }
    }

    @Test
    void eventLoopHandlersRunOnTheIoThread() throws Exception {
        RequestHandler whereAmI = (request, alloc) -> Unpooled.wrappedBuffer(bytes(Thread.currentThread().getName()));
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().build()).handler(whereAmI).start();
             RawClient client = new RawClient(server.localAddress())) {
            client.write(frame(1, bytes("?")));
            byte[] response = client.readFrame();
            assertThat(new String(response, 6, response.length - 6, StandardCharsets.US_ASCII)).startsWith("netkit-server-io");
        }
    }

    @Test
    void startFailsClearlyWithoutAHandlerOrWhenThePortIsTaken() throws Exception {
        assertThatThrownBy(() -> FrameServer.builder().start())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("handler");
        try (FrameServer first = FrameServer.builder().config(TestServers.loopback().build()).handler(RequestHandler.echo()).start()) {
            int port = first.localAddress().getPort();
            assertThatThrownBy(() -> FrameServer.builder().config(TestServers.loopback().port(port).build())
                    .handler(RequestHandler.echo()).start())
                    .hasMessageContaining("Address already in use");
        }
    }

    @Test
    void configRejectsBadValuesNamingFieldAndValue() {
        assertThatThrownBy(() -> FrameServerConfig.builder().port(70_000).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("port: 70000 (expected: 0..65535)");
        assertThatThrownBy(() -> FrameServerConfig.builder().maxConnections(0).build())
                .hasMessage("maxConnections: 0 (expected: > 0)");
        assertThatThrownBy(() -> FrameServerConfig.builder().readTimeout(Duration.ZERO).build())
                .hasMessage("readTimeout: PT0S (expected: > 0)");
        assertThatThrownBy(() -> FrameServerConfig.builder().shutdownTimeout(Duration.ofSeconds(-1)).build())
                .hasMessage("shutdownTimeout: PT-1S (expected: >= 0)");
        assertThatThrownBy(() -> FrameServerConfig.builder().host(" ").build()).hasMessageContaining("host");
        assertThat(FrameServerConfig.defaults().readTimeout()).as("no infinite read timeout by default").isPositive();
        FrameServerConfig custom = FrameServerConfig.builder().port(1234).build();
        assertThat(custom.toBuilder().build()).isEqualTo(custom);
    }

    private static boolean canConnect(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 1_000);
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }
}
