package dev.netkit.netty.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netkit.core.error.RateLimitedException;
import dev.netkit.netty.fleet.FleetConfig;
import dev.netkit.netty.fleet.FleetStats;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.testing.RedisServerProcess;
import dev.netkit.netty.testing.TestServers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A broker's fleet send limit against a real redis-server: shared by two brokers, and failing open without Redis. */
class BrokerFleetLimitTest {
    private static Broker broker(FrameServer server, SendLimit limit) {
        return Broker.create(BrokerConfig.builder().endpoints("127.0.0.1:" + server.localAddress().getPort()).sendLimit(limit).build());
    }

    /** Sends one request after another until {@code endNanos}; counts answers and fleet refusals. */
    private static void drive(Broker broker, long endNanos, AtomicLong answered, AtomicLong refused) {
        while (System.nanoTime() - endNanos < 0) {
            CompletableFuture<byte[]> f = broker.send(new byte[] {1}, Duration.ofSeconds(5));
            try {
                f.join();
                answered.incrementAndGet();
            } catch (CompletionException e) {
                assertThat(e.getCause()).isInstanceOf(RateLimitedException.class).hasMessageContaining("fleet rate limit");
                refused.incrementAndGet();
                LockSupport.parkNanos(100_000); // no token now: try again a little later, as a paced client would
            }
        }
    }

    @Test
    void twoBrokersShareOneFleetRate() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start(); FrameServer server = TestServers.echo()) {
            // a generous Redis timeout: a loaded machine must not turn this into a fallback test
            FleetConfig fleet = FleetConfig.of("127.0.0.1", redis.port(), "broker-share", 2).withTimeout(Duration.ofSeconds(2));
            SendLimit limit = SendLimit.fleetRequestsPerSecond(400, 40, fleet); // batch 4 (1 % of the rate)
            try (Broker a = broker(server, limit); Broker b = broker(server, limit)) {
                Awaitility.await().atMost(Duration.ofSeconds(5))
                        .until(() -> a.fleetStats().tokensFetched() > 0 && b.fleetStats().tokensFetched() > 0);
                AtomicLong answered = new AtomicLong();
                AtomicLong refused = new AtomicLong();
                long start = System.nanoTime();
                long end = start + TimeUnit.MILLISECONDS.toNanos(2_000);
                Thread ta = Thread.ofPlatform().start(() -> drive(a, end, answered, refused));
                Thread tb = Thread.ofPlatform().start(() -> drive(b, end, answered, refused));
                ta.join(15_000);
                tb.join(15_000);
                double seconds = (System.nanoTime() - start) / 1e9;
                FleetStats sa = a.fleetStats();
                FleetStats sb = b.fleetStats();
                System.out.printf("broker fleet: answered %d refused %d in %.3f s; a %s; b %s%n", answered.get(), refused.get(),
                        seconds, sa, sb);
                // The fleet passes at most its rate plus what it held at the start (burst, and a batch on hand per member).
                assertThat(answered.get()).isLessThanOrEqualTo((long) (400 * seconds) + 40 + 2 * 4 + 8);
                // ... and, with Redis answering, not much less (the machine may slow the senders, never speed them).
                assertThat(answered.get()).isGreaterThanOrEqualTo((long) (400 * seconds * 0.7));
                assertThat(refused.get()).as("both brokers sent faster than the fleet allows").isPositive();
                assertThat(sa.admitted()).as("each broker got a part").isPositive();
                assertThat(sb.admitted()).isPositive();
                assertThat(sa.fallbackAdmitted() + sb.fallbackAdmitted()).isZero();
                assertThat(a.stats().rateLimited() + b.stats().rateLimited()).isEqualTo(refused.get());
            }
        }
    }

    @Test
    void withoutRedisEachBrokerFailsOpenToItsShare() throws Exception {
        int nobody = RedisServerProcess.freePort();
        try (FrameServer server = TestServers.echo();
             Broker broker = broker(server, SendLimit.fleetRequestsPerSecond(100, 10,
                     FleetConfig.of("127.0.0.1", nobody, "no-redis", 2)))) {
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> broker.fleetStats().degraded());
            int answered = 0;
            long start = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                try {
                    broker.send(new byte[] {1}, Duration.ofSeconds(5)).join();
                    answered++;
                } catch (CompletionException e) {
                    assertThat(e.getCause()).isInstanceOf(RateLimitedException.class);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            // Its local share: 1/2 of the rate and of the burst (5 at once), plus what the time passing earned.
            assertThat(answered).isPositive().isLessThanOrEqualTo(5 + (int) Math.ceil(50 * seconds));
            FleetStats stats = broker.fleetStats();
            assertThat(stats.fallbackAdmitted()).isEqualTo(answered);
            assertThat(stats.failures()).containsKey("connect");
        }
    }

    @Test
    void aFleetLimitNeedsBothItsRateAndItsRedis() {
        assertThatThrownBy(() -> new SendLimit(null, null, 10, null, FleetConfig.of("127.0.0.1", 6379, "k", 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs both its rate and its Redis");
        assertThatThrownBy(() -> new SendLimit(null, null, 10))
                .hasMessageContaining("neither requests, bytes nor a fleet rate limited");
    }
}
