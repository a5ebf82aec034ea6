package dev.netkit.netty.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netkit.netty.fleet.FleetConfig;
import dev.netkit.netty.fleet.FleetStats;
import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.RedisServerProcess;
import dev.netkit.netty.testing.TestServers;
import java.io.IOException;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A server-wide limit shared through a real redis-server: policing, counted, failing open without Redis. */
class ServerFleetLimitTest {
    private static FrameServer server(ServerLimits limits) {
        return FrameServer.builder().config(TestServers.loopback().limits(limits).build()).handler(RequestHandler.echo()).start();
    }

    private static int burst(FrameServer server, int n) throws IOException {
        try (RawClient client = new RawClient(server.localAddress(), 10_000)) {
            return client.writeFramesCountAnswers(n);
        }
    }

    @Test
    void framesWithoutAFleetTokenAreRefusedAndTheTokensComeFromRedis() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            // 2/s with a burst of 4 for the whole fleet: a batch of 2 per round trip
            FleetConfig fleet = FleetConfig.of("127.0.0.1", redis.port(), "server-fleet", 2).withTimeout(Duration.ofSeconds(2));
            try (FrameServer server = server(ServerLimits.none().withFleet(2, 4, fleet))) {
                Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> server.fleetStats().tokensFetched() > 0);
                int answered = burst(server, 20);
                FleetStats stats = server.fleetStats();
                // At most what the fleet held (its burst) plus what a second earns: far below 20.
                assertThat(answered).isPositive().isLessThanOrEqualTo(4 + 2 * 2);
                assertThat(stats.rejected()).isPositive();
                assertThat(stats.roundTrips()).isPositive();
                assertThat(stats.fallbackAdmitted()).isZero();
                assertThat(server.stats().rateLimited()).isEqualTo(1);
                assertThat(server.stats().responses()).isEqualTo(answered);
            }
        }
    }

    @Test
    void withoutRedisTheServerAdmitsItsShareAndSaysSo() throws Exception {
        FleetConfig fleet = FleetConfig.of("127.0.0.1", RedisServerProcess.freePort(), "no-redis", 2);
        try (FrameServer server = server(ServerLimits.none().withFleet(1, 6, fleet))) {
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> server.fleetStats().degraded());
            long start = System.nanoTime();
            int answered = burst(server, 20);
            double seconds = (System.nanoTime() - start) / 1e9;
            // its share: half the burst (3) and half the rate
            assertThat(answered).isPositive().isLessThanOrEqualTo(3 + (int) Math.ceil(0.5 * seconds));
            assertThat(server.fleetStats().fallbackAdmitted()).isEqualTo(answered);
            assertThat(server.fleetStats().failures()).containsKey("connect");
        }
    }

    @Test
    void aFleetLimitPolicesAndIsWhole() {
        FleetConfig fleet = FleetConfig.of("127.0.0.1", 6379, "k", 2);
        assertThat(ServerLimits.none().withFleet(10, 10, fleet).policing()).isTrue();
        assertThatThrownBy(() -> ServerLimits.none().withFleet(10, 10, fleet).withPolicing(false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("fleet: a fleet-wide limit polices");
        assertThatThrownBy(() -> new ServerLimits(null, null, null, null, null, null, true, null, fleet))
                .hasMessage("fleet: a fleet limit needs both its rate and its Redis configuration");
    }
}
