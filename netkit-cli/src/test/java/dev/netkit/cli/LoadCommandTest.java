package dev.netkit.cli;

import static dev.netkit.cli.JsonFields.list;
import static dev.netkit.cli.JsonFields.map;
import static dev.netkit.cli.JsonFields.number;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.TestServers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code netkit load} in process against in-process servers on loopback. */
class LoadCommandTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);

    @Test
    void echoServerGivesAJsonReportWithNoErrorsAndExitZero() {
        try (FrameServer server = start(RequestHandler.echo())) {
            CliRun run = load(server, "--connections", "2", "--depth", "4", "--duration", "1s", "--warmup", "200ms", "--json");

            assertThat(run.exitCode()).as(run.describe()).isZero();
            assertThat(run.outLines()).as("with --json stdout holds the JSON line only; progress goes to stderr\n%s",
                    run.describe()).hasSize(1);
            Map<String, Object> json = MiniJson.parseObject(run.lastOutLine());

            double requests = number(json, "requests");
            assertThat(requests).as(run.describe()).isPositive();
            assertThat(number(json, "errors")).isZero();
            assertThat(json.get("errors_by_kind")).isEqualTo(Map.of());
            assertThat(number(json, "mismatched")).isZero();
            assertThat(number(json, "throughput_rps")).isPositive();
            assertThat(number(json, "connections")).isEqualTo(2);
            assertThat(number(json, "depth")).isEqualTo(4);
            assertThat(json.get("targets")).isEqualTo(List.of("127.0.0.1:" + server.localAddress().getPort()));
            double seconds = number(json, "duration_s");
            assertThat(seconds).isBetween(0.9, 5.0);
            assertThat(number(json, "throughput_rps")).isCloseTo(requests / seconds, withinPercentage(1));

            @SuppressWarnings("unchecked")
            Map<String, Object> latency = (Map<String, Object>) json.get("latency_us");
            assertThat(latency).containsOnlyKeys("p50", "p90", "p99", "p999", "max");
            double p50 = number(latency, "p50");
            double p90 = number(latency, "p90");
            double p99 = number(latency, "p99");
            double p999 = number(latency, "p999");
            double max = number(latency, "max");
            assertThat(p50).isPositive();
            assertThat(p50).isLessThanOrEqualTo(p90);
            assertThat(p90).isLessThanOrEqualTo(p99);
            assertThat(p99).isLessThanOrEqualTo(p999);
            assertThat(p999).isLessThanOrEqualTo(max);

            // Every verified response was a request the server handled (it also saw the warm-up).
            assertThat((double) server.stats().requests()).isGreaterThanOrEqualTo(requests);
            assertThat(server.stats().connectionsAccepted()).isEqualTo(2);
            assertThat(number(json, "connections_opened")).as("the pool opened each connection once").isEqualTo(2);
            assertThat(number(json, "reuse_rate")).as("every request but each connection's first reused it")
                    .isCloseTo(1 - 2 / (double) server.stats().requests(), org.assertj.core.data.Offset.offset(0.001))
                    .isLessThan(1.0);
        }
    }

    @Test
    void openLoopRunsAtTheRateAndMeasuresFromTheIntendedSendTime() {
        // The handler stalls every 50th request by 100 ms on the event loop: a closed loop would
        // send less during the stall and hide it; the open loop keeps its schedule, so the
        // requests due during the stall show it in their latency (coordinated omission corrected).
        java.util.concurrent.atomic.AtomicLong n = new java.util.concurrent.atomic.AtomicLong();
        RequestHandler stalling = (request, alloc) -> {
            if (n.incrementAndGet() % 50 == 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
            }
            return request.retain();
        };
        try (FrameServer server = start(stalling)) {
            CliRun run = load(server, "--rate", "200", "--connections", "1", "--depth", "64", "--duration", "2s",
                    "--warmup", "0s", "--json");
            assertThat(run.exitCode()).as(run.describe()).isZero();
            Map<String, Object> json = MiniJson.parseObject(run.lastOutLine());
            assertThat(number(json, "rate")).isEqualTo(200);
            assertThat(number(json, "throughput_rps")).as(run.describe()).isBetween(180.0, 220.0);
            assertThat(number(json, "errors")).isZero();
            @SuppressWarnings("unchecked")
            Map<String, Object> latency = (Map<String, Object>) json.get("latency_us");
            // ~8 stalls in the window, each delaying ~20 requests due during it: p99 sees the stall.
            assertThat(number(latency, "p99")).as(run.describe()).isGreaterThan(50_000);
            assertThat(number(latency, "p50")).isLessThan(50_000);
        }
    }

    @Test
    void aServerAnsweringWithOtherBytesIsCountedAsMismatchedAndExitsOne() {
        RequestHandler reversing = RequestHandler.ofBytes(in -> {
            byte[] out = new byte[in.length];
            for (int i = 0; i < in.length; i++) {
                out[i] = in[in.length - 1 - i];
            }
            return out;
        });
        try (FrameServer server = start(reversing)) {
            CliRun run = load(server, "--connections", "1", "--depth", "2", "--duration", "500ms", "--warmup", "100ms", "--json");

            assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
            Map<String, Object> json = MiniJson.parseObject(run.lastOutLine());
            assertThat(number(json, "mismatched")).as(run.describe()).isPositive();
            assertThat(number(json, "requests")).as("no response equals its request").isZero();
            assertThat(number(json, "errors")).isZero();
        }
    }

    @Test
    void nothingListeningExitsTwoWithAClearMessageQuickly() throws IOException {
        int port = freePort();

        CliRun run = CliRun.execute(LIMIT, "load", "--target", "127.0.0.1:" + port,
                "--connections", "2", "--duration", "1s", "--warmup", "0s", "--json");

        assertThat(run.exitCode()).as(run.describe()).isEqualTo(2);
        assertThat(run.err()).as(run.describe())
                .contains("netkit load:")
                .contains("127.0.0.1:" + port)
                .containsIgnoringCase("connect");
        assertThat(run.out()).as("no report when nothing could be measured").isEmpty();
        assertThat(run.took()).as("refused connections fail fast, without waiting for the duration")
                .isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aServerThatNeverRepliesGivesTimeoutsAndTheRunStaysBounded() {
        try (FrameServer server = start((request, alloc) -> null)) {
            CliRun run = load(server, "--connections", "1", "--depth", "4", "--duration", "1s", "--warmup", "200ms",
                    "--timeout", "200ms", "--json");

            assertThat(run.exitCode()).as("no request succeeded\n%s", run.describe()).isEqualTo(1);
            Map<String, Object> json = MiniJson.parseObject(run.lastOutLine());
            @SuppressWarnings("unchecked")
            Map<String, Object> byKind = (Map<String, Object>) json.get("errors_by_kind");
            // Timeouts, until the endpoint's circuit breaker opens (20 calls, all failed) and the
            // rest fail fast with no_endpoints: the breaker doing its job.
            assertThat(byKind.keySet()).as(run.describe()).contains("timeout").isSubsetOf("timeout", "no_endpoints");
            assertThat(number(byKind, "timeout")).isPositive();
            assertThat(number(json, "errors")).isEqualTo(byKind.values().stream().mapToDouble(v -> (Double) v).sum());
            assertThat(number(json, "requests")).isZero();
            // warm-up 0.2 s + measured 1 s + at most one request timeout to drain, plus start and stop
            assertThat(run.took()).as(run.describe()).isLessThan(Duration.ofSeconds(6));
            assertThat(server.stats().noReply()).isPositive();
        }
    }

    @Test
    void weightedTargetsShareThePicksByWeightAndTheReportShowsEachTargetAndTheTimeline() {
        try (FrameServer heavy = start(RequestHandler.echo()); FrameServer light = start(RequestHandler.echo())) {
            String heavyTarget = "127.0.0.1:" + heavy.localAddress().getPort();
            String lightTarget = "127.0.0.1:" + light.localAddress().getPort();
            CliRun run = CliRun.execute(LIMIT, "load", "--target", heavyTarget + "=3@z1," + lightTarget,
                    "--lb", "weighted", "--connections", "1", "--depth", "4", "--duration", "1s", "--warmup", "200ms", "--json");

            assertThat(run.exitCode()).as(run.describe()).isZero();
            Map<String, Object> json = MiniJson.parseObject(run.lastOutLine());
            assertThat(json.get("targets")).as("targets stay plain host:port").isEqualTo(List.of(heavyTarget, lightTarget));
            assertThat(json.get("lb")).isEqualTo("weighted");
            assertThat(map(json, "outlier")).as("the balancer's defaults")
                    .isEqualTo(Map.of("eject_after", 5.0, "ejection_time_ms", 30_000.0, "max_ejected_share", 0.1));
            assertThat(number(json, "start_epoch_ms")).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(20_000.0));

            List<Map<String, Object>> endpoints = list(json, "endpoints");
            assertThat(endpoints).extracting(e -> e.get("address")).containsExactly(heavyTarget, lightTarget);
            Map<String, Object> h = endpoints.get(0);
            Map<String, Object> l = endpoints.get(1);
            assertThat(h).containsEntry("weight", 3.0).containsEntry("zone", "z1").containsEntry("status", "healthy");
            assertThat(l).containsEntry("weight", 1.0).containsEntry("zone", "").containsEntry("status", "healthy");
            double picks = number(h, "picks") + number(l, "picks");
            assertThat(number(h, "picks") / picks).as("smooth weighted round robin: 3 of every 4 picks\n%s", run.describe())
                    .isCloseTo(0.75, org.assertj.core.data.Offset.offset(0.01));
            // The per-target counts are balancer snapshots taken just before and after the window,
            // not at the instant its counting starts and stops: on a busy machine a thread paused
            // between the two is worth a few percent of a 1 s window, so the check is loose (it
            // guards against counting the wrong thing, e.g. picks or all-time totals, not timing).
            assertThat(number(h, "answered") + number(l, "answered")).as("answers in the window ~ verified requests")
                    .isCloseTo(number(json, "requests"), withinPercentage(10));
            for (Map<String, Object> e : endpoints) {
                assertThat(number(e, "errors")).isZero();
                assertThat(number(e, "ejections")).isZero();
            }
            assertThat(list(json, "events")).isEmpty();
            assertThat(number(json, "events_dropped")).isZero();
            assertThat(number(json, "failed_max_us")).isZero();

            List<Map<String, Object>> timeline = list(json, "timeline");
            assertThat(timeline).as("one entry per second of the 1 s window, and the remainder").hasSizeBetween(1, 2);
            assertThat(timeline.stream().mapToDouble(t -> number(t, "requests")).sum())
                    .as("the timeline adds up to the report").isEqualTo(number(json, "requests"));
            assertThat(timeline.stream().mapToDouble(t -> number(t, "ms")).sum()).isCloseTo(number(json, "duration_s") * 1000,
                    org.assertj.core.data.Offset.offset(5.0));
            Map<String, Object> first = timeline.getFirst();
            assertThat(number(first, "errors")).isZero();
            assertThat(number(first, "rps")).isCloseTo(number(first, "requests") * 1000 / number(first, "ms"), withinPercentage(1));
            assertThat(map(first, "answered")).containsOnlyKeys(heavyTarget, lightTarget);
        }
    }

    @Test
    void theTextReportNamesTheStrategyAndEachTarget() {
        try (FrameServer a = start(RequestHandler.echo()); FrameServer b = start(RequestHandler.echo())) {
            String targetA = "127.0.0.1:" + a.localAddress().getPort();
            String targetB = "127.0.0.1:" + b.localAddress().getPort();
            CliRun run = CliRun.execute(LIMIT, "load", "--target", targetA + "," + targetB + "=2@z2", "--lb", "least-outstanding",
                    "--eject-after", "3", "--ejection-time", "1500ms", "--max-ejected-share", "0.5",
                    "--connections", "1", "--depth", "2", "--duration", "500ms", "--warmup", "100ms");

            assertThat(run.exitCode()).as(run.describe()).isZero();
            assertThat(run.out()).as(run.describe())
                    .contains("balancing    least-outstanding; eject after 3 consecutive failures for 1.5s "
                            + "(n x that for the n-th in a row), at most 0.5 of the targets at once")
                    .containsPattern("(?m)^endpoint     " + Pattern.quote(targetA) + "  weight 1  answered [\\d,]+  errors 0  picks [\\d,]+  ejections 0  now healthy$")
                    .containsPattern("(?m)^endpoint     " + Pattern.quote(targetB) + "@z2  weight 2  answered [\\d,]+  errors 0  picks [\\d,]+  ejections 0  now healthy$")
                    .doesNotContain("events      ");
        }
    }

    @Test
    void withoutABreakerOrEjectionEveryRequestIsSentAndTimesOutInsteadOfFailingFast() {
        try (FrameServer server = start((request, alloc) -> null)) {
            CliRun run = load(server, "--no-breaker", "--eject-after", "0", "--connections", "1", "--depth", "4",
                    "--duration", "1s", "--warmup", "200ms", "--timeout", "100ms", "--json");

            assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
            Map<String, Object> json = MiniJson.parseObject(run.lastOutLine());
            @SuppressWarnings("unchecked")
            Map<String, Object> byKind = (Map<String, Object>) json.get("errors_by_kind");
            // 4 in flight, each timing out after 100 ms: about 40 per second, and none refused locally.
            assertThat(byKind.keySet()).as(run.describe()).containsExactly("timeout");
            assertThat(number(byKind, "timeout")).isGreaterThanOrEqualTo(20);
            assertThat(json.get("breaker")).isEqualTo(false);
        }
    }

    @Test
    void ejectAfterZeroTurnsPassiveEjectionOff() {
        try (FrameServer server = start(RequestHandler.echo())) {
            CliRun run = load(server, "--eject-after", "0", "--connections", "1", "--depth", "1", "--duration", "300ms",
                    "--warmup", "0s", "--json");

            assertThat(run.exitCode()).as(run.describe()).isZero();
            assertThat(map(MiniJson.parseObject(run.lastOutLine()), "outlier"))
                    .containsEntry("eject_after", 0.0).containsEntry("max_ejected_share", 0.0);
        }
    }

    static Stream<Arguments> invalidOptions() {
        return Stream.of(
                Arguments.of(List.of("--size", "70000"), List.of("size", "70000", "65531")),
                Arguments.of(List.of("--connections", "0"), List.of("connections", "0")),
                Arguments.of(List.of("--depth", "0"), List.of("depth", "0")),
                Arguments.of(List.of("--duration", "5"), List.of("--duration", "'5'")),
                Arguments.of(List.of("--timeout", "0s"), List.of("timeout")),
                Arguments.of(List.of("--target", "localhost"), List.of("'localhost'", "host:port")),
                Arguments.of(List.of("--target", "127.0.0.1:8=0"), List.of("'127.0.0.1:8=0'", "weight 0", "1..10000")),
                Arguments.of(List.of("--target", "127.0.0.1:8=2@eu/1"), List.of("'127.0.0.1:8=2@eu/1'", "zone 'eu/1'")),
                Arguments.of(List.of("--target", "127.0.0.1:9=2"), List.of("127.0.0.1:9 is listed twice")),
                Arguments.of(List.of("--lb", "fastest"), List.of("--lb", "'fastest'", "round-robin, weighted, least-outstanding")),
                Arguments.of(List.of("--eject-after", "-1"), List.of("--eject-after -1", "0 (off)")),
                Arguments.of(List.of("--ejection-time", "0s"), List.of("--ejection-time", "more than 0")),
                Arguments.of(List.of("--max-ejected-share", "1.5"), List.of("--max-ejected-share 1.5", "0..1")),
                Arguments.of(List.of("--rate", "-5"), List.of("--rate: -5", "1..10000000")),
                Arguments.of(List.of("--rate", "99999999999999999999"), List.of("--rate", "'99999999999999999999'")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidOptions")
    void invalidOptionsAreRejectedNamingTheOptionAndValue(List<String> options, List<String> expectedInMessage) {
        String[] args = Stream.concat(Stream.of("load", "--target", "127.0.0.1:9", "--duration", "1s"), options.stream())
                .toArray(String[]::new);

        CliRun run = CliRun.execute(LIMIT, args);

        assertThat(run.exitCode()).as(run.describe()).isEqualTo(2);
        assertThat(run.err()).as(run.describe()).contains(expectedInMessage);
        assertThat(run.out()).isEmpty();
        assertThat(run.took()).as("rejected before any connection attempt").isLessThan(Duration.ofSeconds(3));
    }

    private static FrameServer start(RequestHandler handler) {
        return FrameServer.builder().config(TestServers.loopback().ioThreads(1).build()).handler(handler).start();
    }

    private static CliRun load(FrameServer server, String... options) {
        String[] args = Stream.concat(Stream.of("load", "--target", "127.0.0.1:" + server.localAddress().getPort()),
                Stream.of(options)).toArray(String[]::new);
        return CliRun.execute(LIMIT, args);
    }

    /** A loopback port with nothing listening on it (bound, then released). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
