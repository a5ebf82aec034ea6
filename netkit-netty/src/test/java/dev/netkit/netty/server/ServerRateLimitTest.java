package dev.netkit.netty.server;

import static dev.netkit.netty.testing.RawClient.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.event.ConnectionClosed;
import dev.netkit.core.event.EventBus;
import dev.netkit.core.event.LimitReached;
import dev.netkit.core.limit.RateLimit;
import dev.netkit.netty.testing.EventLog;
import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.TestServers;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Server rate limits on real sockets: shaping delays reading (per connection and server-wide, for
 * requests and bytes, frames larger than the burst included) and never grows memory for a client
 * that ignores backpressure; policing answers what it started and closes; bad limits are named.
 */
class ServerRateLimitTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static FrameServer server(ServerLimits limits, RequestHandler handler) {
        return FrameServer.builder().config(TestServers.loopback().limits(limits).build()).handler(handler).start();
    }

    /** Sends {@code n} requests one after the other, each after the previous answer; returns the elapsed nanos. */
    private static long closedLoop(InetSocketAddress address, int n, int payloadBytes) throws Exception {
        try (RawClient client = new RawClient(address, 10_000)) {
            long start = System.nanoTime();
            for (int i = 1; i <= n; i++) {
                client.write(frame(i, new byte[payloadBytes]));
                assertThat(client.readFrame()).hasSize(6 + payloadBytes);
            }
            return System.nanoTime() - start;
        }
    }

    @Test
    void perConnectionRequestShapingSpacesReadsByTheRate() throws Exception {
        try (FrameServer server = server(ServerLimits.none().withRequestsPerConnection(50, 5), RequestHandler.echo())) {
            long elapsed = closedLoop(server.localAddress(), 30, 10);
            // 5 pass at once; each later one waits for its token: (30 - 5 - 1) / 50 s at least.
            assertThat(elapsed).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(460)).isLessThan(TimeUnit.SECONDS.toNanos(5));
            ServerStats stats = server.stats();
            assertThat(stats.responses()).isEqualTo(30);
            assertThat(stats.throttledReads()).isGreaterThanOrEqualTo(20);
            assertThat(stats.throttledNanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(400));
            assertThat(stats.rateLimited()).isZero();
        }
    }

    @Test
    void aServerWideLimitIsSharedByEveryConnection() throws Exception {
        try (FrameServer server = server(ServerLimits.none().withRequests(40, 4), RequestHandler.echo())) {
            List<Thread> clients = new ArrayList<>();
            long start = System.nanoTime();
            List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int c = 0; c < 2; c++) {
                clients.add(Thread.ofPlatform().start(() -> {
                    try {
                        closedLoop(server.localAddress(), 20, 10);
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            for (Thread t : clients) {
                t.join();
            }
            long elapsed = System.nanoTime() - start;
            assertThat(errors).isEmpty();
            // 40 requests at 40/s with a burst of 4: about 0.9 s, whichever connection sent them.
            assertThat(elapsed).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(800));
            assertThat(server.stats().responses()).isEqualTo(40);
        }
    }

    @Test
    void aFrameLargerThanTheByteBurstPassesAndThenHoldsReadingForTheDebt() throws Exception {
        try (FrameServer server = server(ServerLimits.none().withBytesPerConnection(100_000, 1_000), RequestHandler.echo());
             RawClient client = new RawClient(server.localAddress(), 10_000)) {
            long start = System.nanoTime();
            client.write(frame(1, new byte[60_000]));
            assertThat(client.readFrame()).as("no deadlock for a frame over the burst").hasSize(60_006);
            client.write(frame(2, new byte[10]));
            assertThat(client.readFrame()).hasSize(16);
            long elapsed = System.nanoTime() - start;
            // The first frame owes (60,006 - 1,000) bytes at 100,000/s: about 590 ms before the next read.
            assertThat(elapsed).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(550));
            assertThat(server.stats().throttledReads()).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void policingAnswersWhatItStartedThenClosesCountedAndTold() throws Exception {
        EventLog log = new EventLog();
        try (EventBus bus = EventBus.create()) {
            bus.subscribe(log, java.util.Set.of(ConnectionClosed.class, LimitReached.class));
            ServerLimits limits = ServerLimits.none().withRequestsPerConnection(5, 3).withPolicing(true);
            try (FrameServer server = FrameServer.builder().config(TestServers.loopback().limits(limits).build())
                    .handler(RequestHandler.echo()).events(bus).start();
                 RawClient client = new RawClient(server.localAddress(), 10_000)) {
                ByteArrayOutputStream ten = new ByteArrayOutputStream();
                for (int i = 1; i <= 10; i++) {
                    ten.write(frame(i, new byte[] {(byte) i}));
                }
                client.write(ten.toByteArray());
                for (int i = 0; i < 3; i++) {
                    assertThat(client.readFrame()).hasSize(7);
                }
                assertThat(client.closedByPeerWithin(5_000)).isTrue();
                assertThat(server.stats().rateLimited()).isEqualTo(1);
                assertThat(server.stats().responses()).isEqualTo(3);
                await().atMost(WAIT).until(() -> log.of(ConnectionClosed.class).size() == 1);
                assertThat(log.of(ConnectionClosed.class).getFirst().reason()).isEqualTo("rate_limited");
                await().atMost(WAIT).until(() -> log.of(LimitReached.class).size() == 1);
                assertThat(log.of(LimitReached.class).getFirst().limit()).isEqualTo(LimitReached.Limit.RATE_LIMIT);
            }
        }
    }

    @Test
    void aPerClientLimitIsSharedByThatAddressesConnectionsAndNotByOthers() throws Exception {
        // Policing at 1/s with a burst of 3: each client address may start 3 requests now, whatever
        // its number of connections (a slower machine only earns the bucket more tokens).
        ServerLimits limits = ServerLimits.none().withRequestsPerClient(1, 3).withPolicing(true);
        try (FrameServer server = server(limits, RequestHandler.echo())) {
            try (RawClient first = new RawClient(server.localAddress(), 10_000)) {
                first.write(fiveFrames());
                for (int i = 0; i < 3; i++) {
                    assertThat(first.readFrame()).hasSize(7);
                }
                assertThat(first.closedByPeerWithin(5_000)).as("its fourth request is over the client's limit").isTrue();
            }
            try (RawClient other = RawClient.from("127.0.0.2", server.localAddress())) {
                other.write(Arrays.copyOf(fiveFrames(), 3 * 7));
                for (int i = 0; i < 3; i++) {
                    assertThat(other.readFrame()).as("another address has its own bucket").hasSize(7);
                }
            }
            try (RawClient again = new RawClient(server.localAddress(), 10_000)) {
                // closed before all three: the bucket of 127.0.0.1 is still the drained one
                assertThat(again.writeFramesCountAnswers(3)).as("a new connection from the same address does not earn a fresh burst")
                        .isLessThan(3);
            }
            assertThat(server.stats().rateLimited()).isEqualTo(2);
        }
    }

    private static byte[] fiveFrames() throws java.io.IOException {
        ByteArrayOutputStream five = new ByteArrayOutputStream();
        for (int i = 1; i <= 5; i++) {
            five.write(frame(i, new byte[] {(byte) i}));
        }
        return five.toByteArray();
    }

    @Test
    void aClientIgnoringBackpressureFillsItsSocketWhileTheServerHoldsNothingMore() throws Exception {
        RequestHandler silent = (request, alloc) -> null; // no answers: only the rate limit stops reading
        try (FrameServer server = server(ServerLimits.none().withBytesPerConnection(64 * 1024, 64 * 1024), silent);
             SocketChannel flood = SocketChannel.open(server.localAddress())) {
            flood.configureBlocking(false);
            ByteBuffer chunk = ByteBuffer.wrap(frame(1, new byte[60_000]));
            long start = System.nanoTime();
            long written = 0;
            int zeroWrites = 0;
            while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(1_500)) {
                if (!chunk.hasRemaining()) {
                    chunk.rewind();
                }
                int n = flood.write(chunk);
                written += n;
                if (n == 0) {
                    zeroWrites++;
                    Thread.onSpinWait();
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long received = server.stats().bytesReceived();
            assertThat(zeroWrites).as("the client's socket filled: the server stopped reading").isPositive();
            // What the server took: the burst, the rate over the run, and the read that found the bucket dry.
            assertThat(received).isLessThanOrEqualTo((long) (64 * 1024 + 64 * 1024 * seconds) + 256 * 1024);
            assertThat(written - received).as("the rest waits in kernel buffers, not in the server").isPositive();
            assertThat(server.stats().throttledReads()).isPositive();
        }
    }

    @Test
    void badLimitsAreNamed() {
        assertThatThrownBy(() -> ServerLimits.none().withRequestsPerConnection(0, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("requests/s per connection: rate 0 (expected: 1..");
        assertThatThrownBy(() -> ServerLimits.none().withBytes(-1, 10))
                .hasMessageStartingWith("bytes/s: rate -1 (expected: 1..");
        assertThatThrownBy(() -> ServerLimits.none().withBytesPerConnection(1_000, 1_000).withPolicing(true))
                .hasMessage("bytes/s per connection: burst 1000 (expected: >= 65537 when policing: the largest frame could "
                        + "never pass a smaller burst)");
        assertThat(new ServerLimits(null, new RateLimit("bytes/s", 10, 65_537), null, null, null, null, true).any()).isTrue();
    }
}
