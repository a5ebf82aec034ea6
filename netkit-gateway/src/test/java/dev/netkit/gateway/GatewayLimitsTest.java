package dev.netkit.gateway;

import static dev.netkit.netty.testing.RawClient.frame;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.RedisServerProcess;
import dev.netkit.netty.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Route rate limits at runtime: policing counted per route, a reload's new limit, and a fleet limit shared by two gateways on a real Redis. */
class GatewayLimitsTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T later(T c) {
        toClose.add(c);
        return c;
    }

    private static String file(String echoAt, String limit) {
        return """
                listeners:
                  - name: front
                    bind: 127.0.0.1:0
                    protocol: anet
                    routes:
                      - { match: { text: "A" }, cluster: up, rate_limit: %s }
                      - { cluster: up }
                clusters:
                  - name: up
                    endpoints: [ "%s" ]
                    health: { enabled: false }
                """.formatted(limit, echoAt);
    }

    private static AnetListenerStats stats(Gateway g) {
        return (AnetListenerStats) g.listenerStats().getFirst();
    }

    /** Sends {@code n} requests with payload {@code text} one by one, each settled (answered or dropped) before the next; the answered count. */
    private static int send(Gateway g, RawClient client, String text, int n) throws Exception {
        int answered = 0;
        for (int i = 0; i < n; i++) {
            long before = stats(g).answered() + stats(g).dropped();
            long answeredBefore = stats(g).answered();
            client.write(frame(i + 1, text.getBytes(StandardCharsets.US_ASCII)));
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> stats(g).answered() + stats(g).dropped() == before + 1);
            if (stats(g).answered() > answeredBefore) {
                assertThat(client.readFrame()).isEqualTo(frame(i + 1, text.getBytes(StandardCharsets.US_ASCII)));
                answered++;
            }
        }
        return answered;
    }

    @Test
    void aRouteOverItsLimitIsPolicedCountedPerRouteAndAReloadAppliesANewLimit() throws Exception {
        FrameServer echo = later(TestServers.echo());
        String echoAt = "127.0.0.1:" + echo.localAddress().getPort();
        Gateway g = later(Gateway.start(GatewayAnetTest.parse(file(echoAt, "{ per_second: 1, burst: 3 }"))));
        try (RawClient client = new RawClient(g.address("front"))) {
            assertThat(send(g, client, "A-limited", 6)).isBetween(3, 4); // the burst, then refused (1/s: at most one more meanwhile)
            assertThat(send(g, client, "B-free", 5)).isEqualTo(5);   // the other route has no limit
        }
        AnetListenerStats s = stats(g);
        long refused = s.failures().get("rate_limited");
        assertThat(refused).isBetween(2L, 3L);
        assertThat(s.dropped()).isEqualTo(refused); // on_failure: drop
        assertThat(s.routeLimits()).containsOnlyKeys("routes[0] -> up");
        assertThat(s.routeLimits().get("routes[0] -> up")).containsEntry("rate_limited", refused);
        assertThat(echo.stats().requests()).isEqualTo(11 - refused);

        g.reload(GatewayAnetTest.parse(file(echoAt, "{ per_second: 1, burst: 10 }"))); // a new limit: a new bucket, full
        try (RawClient client = new RawClient(g.address("front"))) {
            assertThat(send(g, client, "A-again", 10)).isGreaterThanOrEqualTo(10);
        }
        assertThat(stats(g).routeLimits().get("routes[0] -> up")).containsEntry("rate_limited", 0L);
    }

    @Test
    void twoGatewaysShareOneFleetLimitOnRedis() throws Exception {
        RedisServerProcess redis = later(RedisServerProcess.start());
        FrameServer echo = later(TestServers.echo());
        String echoAt = "127.0.0.1:" + echo.localAddress().getPort();
        String limit = "{ per_second: 1, burst: 4, fleet: { redis: \"127.0.0.1:%d\", key: \"gw-test\", members: 2, timeout: 2s } }"
                .formatted(redis.port());
        Gateway a = later(Gateway.start(GatewayAnetTest.parse(file(echoAt, limit))));
        Gateway b = later(Gateway.start(GatewayAnetTest.parse(file(echoAt, limit))));
        long start = System.nanoTime();
        int answered;
        try (RawClient ca = new RawClient(a.address("front")); RawClient cb = new RawClient(b.address("front"))) {
            answered = send(a, ca, "A1", 6) + send(b, cb, "A2", 6);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // one gateway alone would pass its whole burst (4): together they pass the fleet's burst plus 1/s, no more
        assertThat(answered).isGreaterThanOrEqualTo(1).isLessThanOrEqualTo(4 + (int) Math.ceil(seconds));
        for (Gateway g : List.of(a, b)) {
            Map<String, Object> route = stats(g).routeLimits().get("routes[0] -> up");
            assertThat((Long) route.get("fleet_round_trips")).isPositive();
            assertThat(route.get("fleet_degraded")).isEqualTo(false);
            assertThat(route.get("fleet_fallback_episodes")).isEqualTo(0L);
        }
    }

    private static int burst(Gateway g, int n) throws Exception {
        try (RawClient client = new RawClient(g.address("front"), 10_000)) {
            return client.writeFramesCountAnswers(n); // until policing closes the connection
        }
    }

    @Test
    void twoGatewaysListenersShareOneFleetLimitAndStatsShowIt() throws Exception {
        RedisServerProcess redis = later(RedisServerProcess.start());
        FrameServer echo = later(TestServers.echo());
        String yaml = """
                listeners:
                  - name: front
                    bind: 127.0.0.1:0
                    protocol: anet
                    rate_limits:
                      fleet_requests: { per_second: 1, burst: 4, fleet: { redis: "127.0.0.1:%d", key: "gw-listener", members: 2, timeout: 2s } }
                      mode: policing
                    cluster: up
                clusters:
                  - name: up
                    endpoints: [ "127.0.0.1:%d" ]
                    health: { enabled: false }
                """.formatted(redis.port(), echo.localAddress().getPort());
        Gateway a = later(Gateway.start(GatewayAnetTest.parse(yaml)));
        Gateway b = later(Gateway.start(GatewayAnetTest.parse(yaml)));
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> stats(a).fleet().tokensFetched() > 0 && stats(b).fleet().tokensFetched() > 0);
        long start = System.nanoTime();
        int answered = burst(a, 6) + burst(b, 6);
        double seconds = (System.nanoTime() - start) / 1e9;
        // the fleet's burst (4, held as a batch of 2 by each) plus 1/s, whichever gateway the frames reach
        assertThat(answered).isGreaterThanOrEqualTo(1).isLessThanOrEqualTo(4 + (int) Math.ceil(seconds));
        for (Gateway g : List.of(a, b)) {
            dev.netkit.netty.fleet.FleetStats fleet = stats(g).fleet();
            assertThat(fleet.roundTrips()).isPositive();
            assertThat(fleet.rejected()).as("each gateway refused the frames beyond its tokens").isPositive();
            assertThat(fleet.fallbackEpisodes()).isZero();
            assertThat(stats(g).server().rateLimited()).isEqualTo(1);
        }
    }
}
