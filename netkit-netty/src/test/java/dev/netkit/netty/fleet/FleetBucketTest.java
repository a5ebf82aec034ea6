package dev.netkit.netty.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.netkit.core.limit.RateLimit;
import dev.netkit.core.time.Ticker;
import dev.netkit.netty.testing.RedisServerProcess;
import dev.netkit.netty.transport.IoGroup;
import dev.netkit.netty.transport.TransportKind;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Fleet-wide buckets against a real redis-server, and against servers that fail in each way. */
class FleetBucketTest {
    private IoGroup io;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() {
        io = IoGroup.create(TransportKind.AUTO, 2, "fleet-test");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
        io.close();
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closeables.add(c);
        return c;
    }

    private FleetBucket bucket(RateLimit limit, FleetConfig config, Ticker ticker) {
        return closeLater(FleetBucket.start(limit, config, io, ticker));
    }

    @Test
    void twoMembersShareOneRateWithinFivePercentAndABatchPerRoundTrip() throws Exception {
        RedisServerProcess redis = closeLater(RedisServerProcess.start());
        RateLimit limit = new RateLimit("requests/s", 2_000, 100); // batch: 20 (1 % of the rate)
        // a generous timeout: a loaded machine must not turn this accuracy test into a fallback test
        FleetConfig config = FleetConfig.of("127.0.0.1", redis.port(), "share-test", 2).withTimeout(Duration.ofSeconds(2));
        FleetBucket a = bucket(limit, config, Ticker.system());
        FleetBucket b = bucket(limit, config, Ticker.system());
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> a.stats().tokensFetched() > 0 && b.stats().tokensFetched() > 0);
        long startTokens = a.stats().admitted() + b.stats().admitted();

        long start = System.nanoTime();
        long end = start + TimeUnit.MILLISECONDS.toNanos(2_500);
        Thread ta = Thread.ofPlatform().start(() -> drive(a, end));
        Thread tb = Thread.ofPlatform().start(() -> drive(b, end));
        ta.join(10_000);
        tb.join(10_000);
        double seconds = (System.nanoTime() - start) / 1e9;

        long admitted = a.stats().admitted() + b.stats().admitted() - startTokens;
        // what the fleet may pass in the window: the rate, plus what was on hand or in the bucket at the start (<= burst + 2 batches)
        double expected = limit.perSecond() * seconds;
        System.out.printf("fleet: admitted %d in %.3f s (expected %.0f), a %s, b %s%n", admitted, seconds, expected, a.stats(), b.stats());
        assertThat((double) admitted).isCloseTo(expected, within(expected * 0.05));
        assertThat(a.stats().admitted()).isGreaterThan(admitted / 4); // both got a real share
        assertThat(b.stats().admitted()).isGreaterThan(admitted / 4);
        long roundTrips = a.stats().roundTrips() + b.stats().roundTrips();
        assertThat(a.batch()).isEqualTo(20);
        // a round trip brings half a batch on average at least (at the fleet's rate the two members take turns)
        assertThat(roundTrips * 1000 / admitted).as("round trips per 1,000 admitted").isLessThanOrEqualTo(2 * 1000 / a.batch());
        assertThat(a.stats().degraded()).isFalse();
        assertThat(a.stats().fallbackEpisodes()).isZero();
        assertThat(a.stats().members()).isEqualTo(2); // Redis counted both
    }

    private static void drive(FleetBucket bucket, long end) {
        while (System.nanoTime() - end < 0) {
            bucket.tryAcquire();
            LockSupport.parkNanos(20_000); // ~50,000 attempts/s: far above the rate, without spinning a shared core
        }
    }

    @Test
    void redisDownAtStartFallsBackToALocalShareCountedAndLoggedOnce() throws Exception {
        AtomicLong now = new AtomicLong();
        FleetConfig config = FleetConfig.of("127.0.0.1", RedisServerProcess.freePort(), "down", 4);
        FleetBucket bucket = bucket(new RateLimit("requests/s", 400, 40), config, now::get);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> bucket.stats().degraded());
        // share: 400/4 = 100/s, burst 40/4 = 10, on the injected clock
        int passed = 0;
        for (int i = 0; i < 20; i++) {
            passed += bucket.tryAcquire() ? 1 : 0;
        }
        assertThat(passed).isEqualTo(10);
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
        passed = 0;
        for (int i = 0; i < 20; i++) {
            passed += bucket.tryAcquire() ? 1 : 0;
        }
        assertThat(passed).isEqualTo(10);
        // reconnects keep failing (with backoff): counted each time, one episode
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> bucket.stats().failures().getOrDefault("connect", 0L) >= 3);
        FleetStats s = bucket.stats();
        assertThat(s.fallbackEpisodes()).isEqualTo(1);
        assertThat(s.fallbackAdmitted()).isEqualTo(20);
        assertThat(s.rejected()).isEqualTo(20);
        assertThat(s.roundTrips()).isZero();
    }

    @Test
    void redisThatDiesMidRunFallsBackThenRecoversWhenItReturns() throws Exception {
        RedisServerProcess redis = closeLater(RedisServerProcess.start());
        FleetBucket bucket = bucket(new RateLimit("requests/s", 10_000, 1_000),
                FleetConfig.of("127.0.0.1", redis.port(), "dies", 2).withTimeout(Duration.ofSeconds(2)), Ticker.system());
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> bucket.tryAcquire() && bucket.stats().tokensFetched() > 0);
        assertThat(bucket.stats().degraded()).isFalse();

        redis.stop();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
            bucket.tryAcquire();
            return bucket.stats().degraded();
        });
        long fallbackBefore = bucket.stats().fallbackAdmitted();
        assertThat(bucket.tryAcquire()).isTrue(); // fail-open: the local share admits
        assertThat(bucket.stats().fallbackAdmitted()).isEqualTo(fallbackBefore + 1);
        assertThat(bucket.stats().failures()).containsKey("connection_lost");

        long tripsBefore = bucket.stats().roundTrips();
        redis.restart();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !bucket.stats().degraded());
        FleetStats s = bucket.stats();
        assertThat(s.roundTrips()).isGreaterThan(tripsBefore);
        assertThat(s.fallbackEpisodes()).isEqualTo(1);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> bucket.tryAcquire() && !bucket.stats().degraded());
    }

    @Test
    void aRedisThatAnswersTooSlowlyTimesOutIntoTheFallback() throws Exception {
        try (FakeRedis fake = new FakeRedis(null)) {
            FleetConfig config = FleetConfig.of("127.0.0.1", fake.port(), "slow", 1).withTimeout(Duration.ofMillis(20));
            FleetBucket bucket = bucket(new RateLimit("requests/s", 100, 10), config, Ticker.system());
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> bucket.stats().degraded());
            assertThat(bucket.stats().failures()).containsKey("timeout");
            assertThat(fake.received()).contains("EVALSHA");
            assertThat(bucket.tryAcquire()).isTrue(); // the local share (all of it: one member)
            assertThat(bucket.stats().fallbackEpisodes()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello world\r\n", ":42\r\n", "*99999999\r\n", "$5\r\nhello\r\n", "*3\r\n:1\r\n+OK\r\n:1\r\n",
            "*3\r\n:-5\r\n:0\r\n:1\r\n", "-ERR something broke\r\n", "+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
            + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void garbageFromTheServerFallsBackAndNoExceptionEscapes(String garbage) throws Exception {
        String answer = garbage.startsWith("+xxx") ? garbage.repeat(20) : garbage; // a line longer than the client reads
        try (FakeRedis fake = new FakeRedis(answer.getBytes(StandardCharsets.US_ASCII))) {
            FleetBucket bucket = bucket(new RateLimit("requests/s", 100, 10), FleetConfig.of("127.0.0.1", fake.port(), "junk", 1),
                    Ticker.system());
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
                bucket.tryAcquire(); // never throws
                return bucket.stats().degraded();
            });
            FleetStats s = bucket.stats();
            assertThat(s.failures().keySet()).containsAnyOf("bad_reply", "error_reply");
            assertThat(s.tokensFetched()).isZero();
            assertThat(s.fallbackEpisodes()).isEqualTo(1);
        }
    }

    /** A loopback server that reads a request, then answers {@code answer} (null: never answers). */
    private static final class FakeRedis implements AutoCloseable {
        private final ServerSocket server = new ServerSocket();
        private final List<Socket> clients = new CopyOnWriteArrayList<>();
        private final StringBuffer received = new StringBuffer();

        FakeRedis(byte[] answer) throws IOException {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        clients.add(s);
                        Thread.ofVirtual().start(() -> serve(s, answer));
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            });
        }

        private void serve(Socket s, byte[] answer) {
            try (s) {
                InputStream in = s.getInputStream();
                byte[] buf = new byte[4096];
                int n;
                while ((n = in.read(buf)) > 0) {
                    received.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
                    if (answer != null) {
                        s.getOutputStream().write(answer);
                        s.getOutputStream().flush();
                    }
                }
            } catch (IOException e) {
                // the client closed: expected
            }
        }

        int port() {
            return server.getLocalPort();
        }

        String received() {
            return received.toString();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : clients) {
                s.close();
            }
        }
    }
}
