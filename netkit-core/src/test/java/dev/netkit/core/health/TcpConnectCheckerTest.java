package dev.netkit.core.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.time.Scheduler;
import dev.netkit.core.time.Ticker;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@link TcpConnectChecker} on real loopback sockets, alone and driven by a runner. */
class TcpConnectCheckerTest {
    private final TcpConnectChecker checker = new TcpConnectChecker();

    private static Endpoint loopback(int port) {
        return new Endpoint("127.0.0.1", port);
    }

    private static HealthCheckException failureOf(CompletableFuture<Void> check) throws InterruptedException {
        try {
            check.get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected the check to fail, but it passed");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(HealthCheckException.class);
            return (HealthCheckException) e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the check did not complete within 10 s", e);
        }
    }

    @Test
    void aListeningPortIsHealthy() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            checker.check(loopback(server.getLocalPort()), Duration.ofSeconds(1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            try (Socket accepted = acceptWithin(server)) {
                assertThat(accepted.getInputStream().read()).as("closed by the checker without sending").isEqualTo(-1);
            }
        }
    }

    private static Socket acceptWithin(ServerSocket server) throws Exception {
        server.setSoTimeout(5_000);
        return server.accept();
    }

    @Test
    void aClosedPortIsRefused() throws Exception {
        int port;
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = server.getLocalPort();
        }
        HealthCheckException e = failureOf(checker.check(loopback(port), Duration.ofSeconds(1)).toCompletableFuture());
        assertThat(e.kind()).isEqualTo(HealthCheckException.Kind.CONNECT_FAILED);
        assertThat(e).hasMessage("connect to 127.0.0.1:" + port + " refused");
    }

    @Test
    void aConnectThatHangsTimesOutWithinTheTimeout() throws Exception {
        List<Socket> backlog = new ArrayList<>();
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // Fill the accept queue (never accepted) until a connect hangs: further SYNs are dropped.
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            boolean hanging = false;
            for (int i = 0; i < 20 && !hanging; i++) {
                Socket s = new Socket();
                backlog.add(s);
                try {
                    s.connect(address, 300);
                } catch (SocketTimeoutException e) {
                    hanging = true;
                }
            }
            Assumptions.assumeTrue(hanging, "this kernel never dropped a SYN: cannot make a connect hang");
            long start = System.nanoTime();
            HealthCheckException e = failureOf(checker.check(loopback(listener.getLocalPort()), Duration.ofMillis(300))
                    .toCompletableFuture());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(e.kind()).isEqualTo(HealthCheckException.Kind.TIMED_OUT);
            assertThat(e).hasMessage("connect to 127.0.0.1:" + listener.getLocalPort() + " timed out after 300 ms");
            assertThat(ms).isBetween(250L, 3_000L);
        } finally {
            for (Socket s : backlog) {
                s.close();
            }
        }
    }

    @Test
    void nullArgumentsAreRefusedAtOnce() {
        assertThatThrownBy(() -> checker.check(null, Duration.ofSeconds(1))).hasMessage("endpoint");
        assertThatThrownBy(() -> checker.check(loopback(1), null)).hasMessage("timeout");
    }

    @Test
    void aRunnerNoticesTheServerGoingAwayAndComingBack() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int port = server.getLocalPort();
        HealthCheckConfig config = HealthCheckConfig.builder().interval(Duration.ofMillis(20)).timeout(Duration.ofSeconds(1))
                .healthyThreshold(2).unhealthyThreshold(2).build();
        try (HealthCheckRunner runner = HealthCheckRunner.builder(loopback(port), checker).config(config)
                .listener((endpoint, healthy, reason) -> events.add((healthy ? "up: " : "down: ") + reason))
                .time(Ticker.system(), Scheduler.shared()).build()) {
            runner.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> runner.stats().passed() >= 2);
            assertThat(runner.healthy()).isTrue();
            server.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> !runner.healthy());
            assertThat(events).containsExactly("down: 2 consecutive checks failed; last: connect to 127.0.0.1:" + port + " refused");
            try (ServerSocket again = new ServerSocket()) {
                again.setReuseAddress(true);
                try {
                    again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
                } catch (java.net.BindException e) {
                    Assumptions.abort("port " + port + " was taken by someone else meanwhile");
                }
                await().atMost(Duration.ofSeconds(10)).until(runner::healthy);
                assertThat(events).hasSize(2).last().isEqualTo("up: 2 consecutive checks passed");
            }
        } finally {
            server.close();
        }
    }
}
