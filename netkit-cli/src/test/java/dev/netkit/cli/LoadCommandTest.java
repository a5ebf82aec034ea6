package dev.netkit.cli;

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
            assertThat(byKind).as(run.describe()).containsOnlyKeys("timeout");
            assertThat(number(byKind, "timeout")).isPositive();
            assertThat(number(json, "errors")).isEqualTo(number(byKind, "timeout"));
            assertThat(number(json, "requests")).isZero();
            // warm-up 0.2 s + measured 1 s + at most one request timeout to drain, plus start and stop
            assertThat(run.took()).as(run.describe()).isLessThan(Duration.ofSeconds(6));
            assertThat(server.stats().noReply()).isPositive();
        }
    }

    static Stream<Arguments> invalidOptions() {
        return Stream.of(
                Arguments.of(List.of("--size", "70000"), List.of("size", "70000", "65531")),
                Arguments.of(List.of("--connections", "0"), List.of("connections", "0")),
                Arguments.of(List.of("--depth", "0"), List.of("depth", "0")),
                Arguments.of(List.of("--duration", "5"), List.of("--duration", "'5'")),
                Arguments.of(List.of("--timeout", "0s"), List.of("timeout")),
                Arguments.of(List.of("--target", "localhost"), List.of("'localhost'", "host:port")));
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

    private static double number(Map<String, Object> json, String key) {
        assertThat(json).containsKey(key);
        assertThat(json.get(key)).as(key).isInstanceOf(Double.class);
        return (Double) json.get(key);
    }

    /** A loopback port with nothing listening on it (bound, then released). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
