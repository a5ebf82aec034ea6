package dev.netkit.netty.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.FrameTooLargeException;
import dev.netkit.core.health.HealthCheckConfig;
import dev.netkit.core.health.HealthCheckException;
import dev.netkit.core.health.HealthCheckException.Kind;
import dev.netkit.core.health.HealthCheckRunner;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.ScriptedPeer;
import dev.netkit.netty.testing.TestServers;
import dev.netkit.netty.wire.AnetWireFormat;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link AnetProbeChecker} against real servers and scripted peers on loopback. */
class HealthCheckAnetProbeTest {
    private static final byte[] PING = bytes("ping");
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final AnetProbeChecker probe = AnetProbeChecker.builder(PING).build();

    @AfterEach
    void closeChecker() {
        probe.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("netkit-health-io")));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static FrameServer server(RequestHandler handler) {
        return FrameServer.builder().config(TestServers.loopback().ioThreads(1).build()).handler(handler).start();
    }

    private static Endpoint endpointOf(FrameServer server) {
        InetSocketAddress address = server.localAddress();
        return new Endpoint(address.getAddress().getHostAddress(), address.getPort());
    }

    private static void passes(CompletionStage<Void> check) throws Exception {
        check.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static HealthCheckException failureOf(CompletionStage<Void> check) throws InterruptedException {
        try {
            check.toCompletableFuture().get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected the check to fail, but it passed");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(HealthCheckException.class);
            return (HealthCheckException) e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("the check did not complete within 10 s", e);
        }
    }

    @Test
    void anEchoServerIsHealthyAndEachCheckUsesAFreshConnectionThatIsClosed() throws Exception {
        try (FrameServer server = server(RequestHandler.echo())) {
            for (int i = 0; i < 3; i++) {
                passes(probe.check(endpointOf(server), TIMEOUT));
            }
            assertThat(server.stats().connectionsAccepted()).isEqualTo(3);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().activeConnections() == 0);
        }
    }

    @Test
    void aHostNameIsResolvedAndProbed() throws Exception {
        InetAddress localhost = InetAddress.getByName("localhost");
        try (FrameServer server = FrameServer.builder()
                .config(TestServers.loopback().host(localhost.getHostAddress()).ioThreads(1).build())
                .handler(RequestHandler.echo()).start()) {
            passes(probe.check(new Endpoint("localhost", server.localAddress().getPort()), TIMEOUT));
        }
    }

    @Test
    void aDifferentAnswerIsUnhealthyWithAPreviewOfBoth() throws Exception {
        try (FrameServer server = server(RequestHandler.ofBytes(request -> bytes("nope")))) {
            Endpoint endpoint = endpointOf(server);
            HealthCheckException e = failureOf(probe.check(endpoint, TIMEOUT));
            assertThat(e.kind()).isEqualTo(Kind.WRONG_ANSWER);
            assertThat(e).hasMessage("wrong answer from " + endpoint + ": got 4 bytes \"nope\", expected the payload echoed: 4 bytes \"ping\"");
        }
    }

    @Test
    void aBinaryAnswerIsShownInHexAndCut() throws Exception {
        byte[] binary = new byte[40];
        binary[0] = (byte) 0xff;
        try (FrameServer server = server(RequestHandler.ofBytes(request -> binary));
             AnetProbeChecker pong = AnetProbeChecker.builder(PING).expect(bytes("pong")).build()) {
            HealthCheckException e = failureOf(pong.check(endpointOf(server), TIMEOUT));
            assertThat(e.kind()).isEqualTo(Kind.WRONG_ANSWER);
            assertThat(e.getMessage()).endsWith(": got 40 bytes 0xff000000000000000000000000000000..., expected 4 bytes \"pong\"");
        }
    }

    @Test
    void aPredicateDecidesAndItsDescriptionExplainsAFailure() throws Exception {
        try (FrameServer server = server(RequestHandler.ofBytes(request -> bytes("status: ok")));
             AnetProbeChecker ok = AnetProbeChecker.builder(bytes("status"))
                     .expect(answer -> new String(answer, StandardCharsets.UTF_8).endsWith("ok"), "an answer ending in ok").build();
             AnetProbeChecker strict = AnetProbeChecker.builder(bytes("status"))
                     .expect(answer -> answer.length == 0, "an empty answer").build()) {
            passes(ok.check(endpointOf(server), TIMEOUT));
            assertThat(failureOf(strict.check(endpointOf(server), TIMEOUT)))
                    .hasMessageEndingWith(": got 10 bytes \"status: ok\", expected an empty answer");
        }
    }

    @Test
    void aPortWithoutListenerIsRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        HealthCheckException e = failureOf(probe.check(new Endpoint("127.0.0.1", port), TIMEOUT));
        assertThat(e.kind()).isEqualTo(Kind.CONNECT_FAILED);
        assertThat(e).hasMessage("connect to 127.0.0.1:" + port + " refused");
    }

    @Test
    void aServerThatAcceptsButNeverAnswersTimesOutWithinTheTimeout() throws Exception {
        try (FrameServer server = server((request, alloc) -> null)) { // reads the probe, sends nothing
            Endpoint endpoint = endpointOf(server);
            long start = System.nanoTime();
            HealthCheckException e = failureOf(probe.check(endpoint, Duration.ofMillis(300)));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(e.kind()).isEqualTo(Kind.TIMED_OUT);
            assertThat(e).hasMessage("no answer from " + endpoint + " within 300 ms");
            assertThat(ms).isBetween(250L, 3_000L);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().activeConnections() == 0);
        }
    }

    @Test
    void aPeerThatNeverAcceptsTimesOutToo() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // The kernel completes the handshake into the accept queue; nobody ever reads.
            Endpoint endpoint = new Endpoint("127.0.0.1", listener.getLocalPort());
            HealthCheckException e = failureOf(probe.check(endpoint, Duration.ofMillis(200)));
            assertThat(e.kind()).isEqualTo(Kind.TIMED_OUT);
            assertThat(e).hasMessage("no answer from " + endpoint + " within 200 ms");
        }
    }

    @Test
    void aPeerThatClosesBeforeAnsweringIsReported() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer()) {
            CompletionStage<Void> check = probe.check(Endpoint.parse(peer.endpoint()), Duration.ofSeconds(5));
            peer.accept();
            ScriptedPeer.Request request = peer.read();
            assertThat(request.payload()).isEqualTo(PING);
            peer.close();
            HealthCheckException e = failureOf(check);
            assertThat(e.kind()).isEqualTo(Kind.CLOSED_BY_PEER);
            assertThat(e).hasMessage(peer.endpoint() + " closed the connection before answering the probe");
        }
    }

    @Test
    void aResetBeforeAnsweringIsClosedByPeer() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer()) {
            CompletionStage<Void> check = probe.check(Endpoint.parse(peer.endpoint()), Duration.ofSeconds(5));
            peer.accept().read();
            peer.kill();
            HealthCheckException e = failureOf(check);
            assertThat(e.kind()).isEqualTo(Kind.CLOSED_BY_PEER);
            assertThat(e.getMessage()).contains(peer.endpoint());
        }
    }

    @Test
    void aFrameBelowTheMinimumLengthIsAProtocolViolation() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer()) {
            CompletionStage<Void> check = probe.check(Endpoint.parse(peer.endpoint()), Duration.ofSeconds(5));
            peer.accept().read();
            peer.writeRaw(new byte[] {0, 2, 0, 0});
            HealthCheckException e = failureOf(check);
            assertThat(e.kind()).isEqualTo(Kind.PROTOCOL_VIOLATION);
            assertThat(e).hasMessage("protocol violation by " + peer.endpoint()
                    + ": frame length 2 is below the minimum of 4 (the 4 correlation bytes)");
        }
    }

    @Test
    void anAnswerWithAnotherCorrelationIdIsAProtocolViolation() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer()) {
            CompletionStage<Void> check = probe.check(Endpoint.parse(peer.endpoint()), Duration.ofSeconds(5));
            ScriptedPeer.Request request = peer.accept().read();
            peer.writeRaw(RawClient.frame(request.id() + 1, PING));
            HealthCheckException e = failureOf(check);
            assertThat(e.kind()).isEqualTo(Kind.PROTOCOL_VIOLATION);
            assertThat(e.getMessage()).contains("answer with correlation id " + (request.id() + 1));
        }
    }

    @Test
    void anAnswerSplitAcrossReadsIsReassembled() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer()) {
            CompletionStage<Void> check = probe.check(Endpoint.parse(peer.endpoint()), Duration.ofSeconds(5));
            ScriptedPeer.Request request = peer.accept().read();
            byte[] frame = RawClient.frame(request.id(), PING);
            peer.writeRaw(java.util.Arrays.copyOfRange(frame, 0, 3));
            assertThat(check.toCompletableFuture()).isNotDone();
            peer.writeRaw(java.util.Arrays.copyOfRange(frame, 3, frame.length));
            passes(check);
        }
    }

    @Test
    void closingFailsTheChecksInProgressAndLaterOnes() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer()) {
            CompletionStage<Void> check = probe.check(Endpoint.parse(peer.endpoint()), Duration.ofSeconds(30));
            peer.accept().read();
            probe.close();
            probe.close(); // idempotent
            HealthCheckException e = failureOf(check);
            assertThat(e.kind()).isEqualTo(Kind.ERROR);
            assertThat(e).hasMessage("health check abandoned: the anet probe checker was closed");
            assertThat(peer.receivesAnythingWithin(2_000)).as("the probe's connection was closed").isFalse();
            assertThat(failureOf(probe.check(Endpoint.parse(peer.endpoint()), TIMEOUT)))
                    .hasMessage("health check of " + peer.endpoint() + " not started: the anet probe checker is closed");
        }
    }

    @Test
    void aPayloadTooLargeForOneFrameIsRefusedByTheBuilder() {
        assertThatThrownBy(() -> AnetProbeChecker.builder(new byte[AnetWireFormat.MAX_PAYLOAD + 1]))
                .isInstanceOf(FrameTooLargeException.class);
        assertThatThrownBy(() -> AnetProbeChecker.builder(null)).hasMessage("payload");
    }

    @Test
    void aRunnerWithTheProbeFollowsAServerGoingDownAndUp() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        FrameServer server = server(RequestHandler.echo());
        Endpoint endpoint = endpointOf(server);
        HealthCheckConfig config = HealthCheckConfig.builder().interval(Duration.ofMillis(20)).timeout(Duration.ofSeconds(1))
                .healthyThreshold(2).unhealthyThreshold(2).build();
        try (HealthCheckRunner runner = HealthCheckRunner.builder(endpoint, probe).config(config)
                .listener((e, healthy, reason) -> events.add((healthy ? "up: " : "down: ") + reason)).build()) {
            runner.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> runner.stats().passed() >= 3);
            server.stop();
            await().atMost(Duration.ofSeconds(10)).until(() -> !runner.healthy());
            assertThat(events).hasSize(1);
            assertThat(events.get(0)).startsWith("down: 2 consecutive checks failed; last: ");

            try (FrameServer again = FrameServer.builder()
                    .config(TestServers.loopback().port(endpoint.port()).ioThreads(1).build())
                    .handler(RequestHandler.echo()).start()) {
                await().atMost(Duration.ofSeconds(10)).until(runner::healthy);
                assertThat(events).hasSize(2).last().isEqualTo("up: 2 consecutive checks passed");
            }
        } finally {
            server.stop();
        }
    }

    @Test
    void aRunnerReportsTheProbesOwnReasonForASilentServer() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        try (FrameServer server = server((request, alloc) -> null)) {
            Endpoint endpoint = endpointOf(server);
            HealthCheckConfig config = HealthCheckConfig.builder().timeout(Duration.ofMillis(500)).unhealthyThreshold(1).build();
            try (HealthCheckRunner runner = HealthCheckRunner.builder(endpoint, probe).config(config)
                    .listener((e, healthy, reason) -> events.add(reason)).build()) {
                runner.start();
                await().atMost(Duration.ofSeconds(10)).until(() -> !runner.healthy());
                // The probe is given 450 ms, the runner's own deadline is 500 ms: the probe's
                // reason wins unless its I/O thread was held up for 50 ms (a loaded machine).
                assertThat(events).singleElement().satisfiesAnyOf(
                        reason -> assertThat(reason).isEqualTo("1 check failed; last: no answer from " + endpoint + " within 450 ms"),
                        reason -> assertThat(reason).contains("did not complete within the timeout of 500 ms"));
                assertThat(runner.stats().timedOut()).as("counted by the runner only when the probe lost the race")
                        .isEqualTo(events.get(0).contains("no answer") ? 0 : 1);
            }
        }
    }

    @Test
    void manyConcurrentChecksOfOneServerAllPass() throws Exception {
        try (FrameServer server = server(RequestHandler.echo())) {
            List<CompletableFuture<Void>> checks = new java.util.ArrayList<>();
            for (int i = 0; i < 100; i++) {
                checks.add(probe.check(endpointOf(server), Duration.ofSeconds(5)).toCompletableFuture());
            }
            CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        }
    }
}
