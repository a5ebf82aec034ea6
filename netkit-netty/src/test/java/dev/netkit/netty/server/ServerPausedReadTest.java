package dev.netkit.netty.server;

import static dev.netkit.netty.testing.RawClient.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.event.ConnectionClosed;
import dev.netkit.core.event.EventBus;
import dev.netkit.netty.testing.EventLog;
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
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The read timeout bounds how long a started frame may take to arrive while the server is reading.
 * While the server itself has stopped reading (the client does not read its answers, or the
 * concurrency limit is reached), a half-received frame cannot finish, so that time must not count:
 * only the write timeout may close a connection whose answers are not being read.
 *
 * <p>How the stall is built without timing luck: the client sends {@value #REQUESTS} small
 * requests and the first bytes of one more in one write. A held (async) handler takes all of them
 * before answering any, so the decoder ends on the half frame with its read timer armed; then every
 * request is answered with ~64 KB, far more than the client's 4 KB receive window and the server's
 * socket buffer take, so the server turns unwritable and pauses reading with the half frame
 * buffered.
 */
class ServerPausedReadTest {
    private static final int REQUESTS = 120;
    private static final int ANSWER_BYTES = 65_000;
    private static final Duration READ_TIMEOUT = Duration.ofMillis(200);

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] answer(int i) {
        byte[] b = new byte[ANSWER_BYTES];
        Arrays.fill(b, (byte) i);
        return b;
    }

    /** Sends {@link #REQUESTS} requests plus 3 bytes of request {@code REQUESTS + 1}; returns that frame's rest. */
    private static byte[] sendRequestsAndHalfAFrame(RawClient client) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 1; i <= REQUESTS; i++) {
            all.write(frame(i, bytes("r" + i)));
        }
        byte[] last = frame(REQUESTS + 1, bytes("last"));
        all.write(last, 0, 3);
        client.write(all.toByteArray());
        return Arrays.copyOfRange(last, 3, last.length);
    }

    /** Takes every request first (so the half frame is buffered), then answers each with ~64 KB. */
    private static void answerAllWithBigPayloads(HeldRequests held) throws InterruptedException {
        List<HeldRequests.Held> requests = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            requests.add(held.next());
        }
        for (HeldRequests.Held r : requests) {
            int i = Integer.parseInt(new String(r.payload(), StandardCharsets.US_ASCII).substring(1));
            r.reply().complete(Unpooled.wrappedBuffer(answer(i)));
        }
    }

    @Test
    void aClientThatStopsReadingLongerThanTheReadTimeoutAndResumesGetsEveryAnswer() throws Exception {
        HeldRequests held = new HeldRequests();
        try (FrameServer server = FrameServer.builder()
                .config(TestServers.loopback().readTimeout(READ_TIMEOUT).writeTimeout(Duration.ofSeconds(20)).build())
                .asyncHandler(held).start();
             RawClient client = new RawClient(server.localAddress(), 5_000, 4096)) {
            byte[] rest = sendRequestsAndHalfAFrame(client);
            answerAllWithBigPayloads(held);
            // Not reading for 5 read timeouts: the connection must stay open.
            await().during(READ_TIMEOUT.multipliedBy(5)).atMost(Duration.ofSeconds(5))
                    .until(() -> server.stats().readTimeouts() == 0 && server.stats().activeConnections() == 1);

            java.util.Set<Integer> answered = new java.util.HashSet<>();
            for (int n = 0; n < REQUESTS; n++) { // answers may come in any order (wire format v1)
                byte[] f = client.readFrame();
                int id = ByteBuffer.wrap(f).getInt(2);
                assertThat(answered.add(id)).as("answer %d once", id).isTrue();
                assertThat(Arrays.copyOfRange(f, 6, f.length)).as("answer %d", id).isEqualTo(answer(id));
            }
            assertThat(answered).hasSize(REQUESTS).allMatch(id -> id >= 1 && id <= REQUESTS);
            client.write(rest); // the half frame completes once reading resumed
            held.next().echo();
            assertThat(client.readFrame()).isEqualTo(frame(REQUESTS + 1, bytes("last")));
            assertThat(server.stats().readTimeouts()).isZero();
            assertThat(server.stats().writeTimeouts()).isZero();
        }
    }

    @Test
    void aClientThatNeverResumesIsClosedByTheWriteTimeoutNotTheReadTimeout() throws Exception {
        HeldRequests held = new HeldRequests();
        EventLog log = new EventLog();
        try (EventBus bus = EventBus.create();
             FrameServer server = FrameServer.builder()
                     .config(TestServers.loopback().readTimeout(READ_TIMEOUT).writeTimeout(Duration.ofSeconds(1)).build())
                     .asyncHandler(held).events(bus).start();
             RawClient client = new RawClient(server.localAddress(), 5_000, 4096)) {
            bus.subscribe(log);
            sendRequestsAndHalfAFrame(client);
            answerAllWithBigPayloads(held);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().writeTimeouts() == 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> !log.of(ConnectionClosed.class).isEmpty());
            assertThat(log.of(ConnectionClosed.class)).extracting(ConnectionClosed::reason).containsExactly("write_timeout");
            assertThat(server.stats().readTimeouts()).isZero();
            assertThat(client.closedByPeerWithin(3_000)).isTrue();
        }
    }

    /**
     * The concurrency limit pauses reading too: a connection waiting for a permit with a complete
     * frame and a half frame buffered, for longer than the read timeout, is served once a permit
     * frees and its half frame completes.
     */
    @Test
    void aHalfFrameBufferedWhileWaitingForAPermitOutlivesTheReadTimeout() throws Exception {
        HeldRequests held = new HeldRequests();
        try (FrameServer server = FrameServer.builder()
                .config(TestServers.loopback().readTimeout(READ_TIMEOUT).maxConcurrentRequests(1).build())
                .asyncHandler(held).start();
             RawClient holder = new RawClient(server.localAddress());
             RawClient waiter = new RawClient(server.localAddress())) {
            holder.write(frame(1, bytes("held")));
            HeldRequests.Held first = held.next();
            byte[] second = frame(3, bytes("second"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(frame(2, bytes("first")));
            out.write(second, 0, 3);
            waiter.write(out.toByteArray());
            await().during(READ_TIMEOUT.multipliedBy(5)).atMost(Duration.ofSeconds(5))
                    .until(() -> server.stats().readTimeouts() == 0 && server.stats().activeConnections() == 2);
            waiter.write(Arrays.copyOfRange(second, 3, second.length));

            first.echo();
            assertThat(holder.readFrame()).isEqualTo(frame(1, bytes("held")));
            held.next().echo();
            assertThat(waiter.readFrame()).isEqualTo(frame(2, bytes("first")));
            held.next().echo();
            assertThat(waiter.readFrame()).isEqualTo(frame(3, bytes("second")));
            assertThat(server.stats().readTimeouts()).isZero();
        }
    }
}
