package dev.netkit.netty.server;

import static dev.netkit.netty.testing.RawClient.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.netty.testing.HeldRequests;
import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.TestServers;
import dev.netkit.netty.transport.TransportKind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Regressions found in review: half-close under the limit, bad response buffers, owed answers. */
class ServerRobustnessTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String payload(byte[] frame) {
        return new String(frame, 6, frame.length - 6, StandardCharsets.US_ASCII);
    }

    /**
     * The client sends three requests and half-closes; two wait for the only permit; some answers
     * complete synchronously inside the decode loop. On epoll, re-enabling reads after the input
     * closed used to fail and close the connection (0 of 3 answers); a synchronous answer while
     * resuming used to close it early (2 of 3).
     */
    @ParameterizedTest
    @EnumSource(value = TransportKind.class, names = {"NIO", "EPOLL", "IO_URING"})
    void halfClosedClientUnderTheConcurrencyLimitGetsEveryAnswer(TransportKind transport) throws Exception {
        CompletableFuture<ByteBuf> slow = new CompletableFuture<>();
        AsyncRequestHandler handler = (request, alloc) -> "slow".equals(request.toString(StandardCharsets.US_ASCII))
                ? slow
                : CompletableFuture.completedFuture(request.retain());
        try (FrameServer server = FrameServer.builder()
                .config(TestServers.loopback().transport(transport).maxConcurrentRequests(1).build())
                .asyncHandler(handler).start();
             RawClient client = new RawClient(server.localAddress())) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.write(frame(1, bytes("slow")));
            all.write(frame(2, bytes("fast1")));
            all.write(frame(3, bytes("fast2")));
            client.write(all.toByteArray());
            client.shutdownOutput();
            // give the server time to read the frames and the FIN while "slow" holds the permit
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(3)).until(() -> server.stats().requests() == 1);
            slow.complete(Unpooled.wrappedBuffer(bytes("slow")));
            List<String> answers = List.of(payload(client.readFrame()), payload(client.readFrame()), payload(client.readFrame()));
            assertThat(answers).containsExactlyInAnyOrder("slow", "fast1", "fast2");
            assertThat(client.closedByPeerWithin(3_000)).isTrue();
        }
    }

    @Test
    void aReleasedResponseBufferIsAHandlerErrorAndLeavesNoBytesOnTheWire() throws Exception {
        RequestHandler handler = (request, alloc) -> {
            ByteBuf response = Unpooled.copiedBuffer(request);
            if ("bad".equals(request.toString(StandardCharsets.US_ASCII))) {
                response.release(); // handler bug: hands over a buffer it already released
            }
            return response;
        };
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().build()).blockingHandler(handler).start();
             RawClient client = new RawClient(server.localAddress())) {
            client.write(frame(1, bytes("bad")));
            await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().handlerErrors() == 1);
            client.write(frame(2, bytes("good")));
            assertThat(client.readFrame()).as("the first frame on the wire").isEqualTo(frame(2, bytes("good")));
        }
    }

    @Test
    void handlersMayReturnTheirRequestWithoutRetainingIt() throws Exception {
        RequestHandler sameBuffer = (request, alloc) -> request; // easy to write; must still work
        for (FrameServer.Builder builder : List.of(
                FrameServer.builder().handler(sameBuffer),
                FrameServer.builder().blockingHandler(sameBuffer),
                FrameServer.builder().asyncHandler((request, alloc) -> CompletableFuture.completedFuture(request)))) {
            try (FrameServer server = builder.config(TestServers.loopback().build()).start();
                 RawClient client = new RawClient(server.localAddress())) {
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                all.write(frame(1, bytes("one")));
                all.write(frame(2, bytes("two")));
                client.write(all.toByteArray());
                assertThat(List.of(client.readFrame(), client.readFrame()))
                        .containsExactlyInAnyOrder(frame(1, bytes("one")), frame(2, bytes("two")));
                assertThat(server.stats().handlerErrors()).isZero();
            }
        }
    }

    @Test
    void answersOwedBeforeAProtocolViolationAreStillSent() throws Exception {
        HeldRequests held = new HeldRequests();
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().build()).asyncHandler(held).start();
             RawClient client = new RawClient(server.localAddress())) {
            client.write(frame(1, bytes("owed")));
            HeldRequests.Held owed = held.next();
            client.write(new byte[] {0, 1, 0}); // LEN 1
            await().atMost(Duration.ofSeconds(3)).until(() -> server.stats().protocolViolations() == 1);
            owed.echo();
            assertThat(client.readFrame()).isEqualTo(frame(1, bytes("owed")));
            assertThat(client.closedByPeerWithin(3_000)).isTrue();
        }
    }

    @Test
    void aConnectionWaitingForAPermitIsNotIdle() throws Exception {
        HeldRequests held = new HeldRequests();
        try (FrameServer server = FrameServer.builder()
                .config(TestServers.loopback().maxConcurrentRequests(1).idleTimeout(Duration.ofMillis(200)).build())
                .asyncHandler(held).start();
             RawClient holder = new RawClient(server.localAddress());
             RawClient waiter = new RawClient(server.localAddress())) {
            holder.write(frame(1, bytes("a")));
            HeldRequests.Held first = held.next();
            waiter.write(frame(2, bytes("c")));
            await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3))
                    .until(() -> server.stats().idleTimeouts() == 0 && server.stats().activeConnections() == 2);
            first.echo();
            assertThat(holder.readFrame()).isEqualTo(frame(1, bytes("a")));
            held.next().echo();
            assertThat(waiter.readFrame()).isEqualTo(frame(2, bytes("c")));
        }
    }

    @Test
    void aHandlerThatReleasesItsOwnRequestStillAnswersAndFreesItsPermit() throws Exception {
        RequestHandler releasesRequest = (request, alloc) -> {
            ByteBuf copy = Unpooled.copiedBuffer(request);
            request.release(); // a Netty habit; the server owns this buffer, but must survive it
            return copy;
        };
        AsyncRequestHandler asyncReleases = (request, alloc) -> {
            ByteBuf copy = Unpooled.copiedBuffer(request);
            request.release();
            return CompletableFuture.completedFuture(copy);
        };
        for (FrameServer.Builder builder : List.of(FrameServer.builder().blockingHandler(releasesRequest),
                FrameServer.builder().asyncHandler(asyncReleases))) {
            try (FrameServer server = builder.config(TestServers.loopback().maxConcurrentRequests(1).build()).start();
                 RawClient client = new RawClient(server.localAddress())) {
                client.write(frame(1, bytes("a")));
                assertThat(client.readFrame()).isEqualTo(frame(1, bytes("a")));
                client.write(frame(2, bytes("b"))); // needs the only permit back
                assertThat(client.readFrame()).isEqualTo(frame(2, bytes("b")));
                assertThat(server.stats().inFlight()).isZero();
                assertThat(server.stats().handlerErrors()).isZero();
            }
        }
    }
}
