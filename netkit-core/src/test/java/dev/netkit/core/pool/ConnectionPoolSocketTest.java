package dev.netkit.core.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.backoff.ExponentialBackoff;
import dev.netkit.core.endpoint.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Faults over real loopback sockets (127.0.0.1 only, real clock, every wait bounded), through the
 * test-only {@link SocketConnector}: an endpoint that refuses (fail with the ConnectException,
 * then fail fast, then dial again after the backoff); one that accepts and hangs up at once
 * (counted as failed dials and backed off, no tight loop); one that never answers the dial (the
 * pool's dial timeout); and a peer that closes idle connections (removed once the close is
 * observable, so every later lease is usable).
 *
 * <p>The silent endpoint is a listening socket with backlog 1 that never accepts, its accept
 * queue filled first: Linux then drops further SYNs, so a connect hangs without any server code.
 * The test checks that the queue really is full (a probe connect times out) and fails loudly
 * otherwise rather than passing vacuously.
 */
class ConnectionPoolSocketTest {
    private static final InetAddress LOOPBACK = loopback();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final SocketConnector connector = new SocketConnector(Duration.ofSeconds(10));

    private static InetAddress loopback() {
        try {
            return InetAddress.getByName("127.0.0.1");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void closeEverything() {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            SocketConnector.closeQuietly(toClose.get(i));
        }
        connector.close();
        assertThat(connector.openSockets()).as("every client socket closed").isZero();
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        toClose.add(c);
        return c;
    }

    private ConnectionPool<SocketConnector.Conn> pool(int port, PoolConfig.Builder config, PoolListener listener) {
        return closeLater(ConnectionPool.builder(new Endpoint("127.0.0.1", port), connector)
                .config(config.build()).listener(listener).build());
    }

    private ServerSocket server(int backlog) throws IOException {
        return closeLater(new ServerSocket(0, backlog, LOOPBACK));
    }

    /** Accepts on a virtual thread until the server closes; each accepted socket is closed after the test. */
    private void acceptLoop(ServerSocket server, Consumer<Socket> handler) {
        Thread.ofVirtual().name("test-accept-" + server.getLocalPort()).start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    closeLaterSync(s);
                    handler.accept(s);
                } catch (IOException e) {
                    return; // server closed
                }
            }
        });
    }

    private synchronized void closeLaterSync(Socket s) {
        toClose.add(s);
    }

    private static Throwable causeOf(CompletableFuture<?> f) {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("acquire did not complete in 10 s", e);
        }
        throw new AssertionError("acquire succeeded: " + f);
    }

    @Test
    void aRefusingEndpointFailsWithTheConnectErrorThenFastThenIsDialledAgain() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            port = s.getLocalPort(); // bound, then closed: connects are refused
        }
        RecordingListener listener = new RecordingListener();
        var pool = pool(port, PoolConfig.builder().dialTimeout(Duration.ofSeconds(5))
                .dialBackoff(new ExponentialBackoff(Duration.ofSeconds(1), 2, 0.2, Duration.ofSeconds(10))), listener);

        Throwable first = causeOf(pool.acquire());
        assertThat(first).isInstanceOf(EndpointDownException.class);
        assertThat(first.getCause()).isInstanceOf(ConnectException.class);
        assertThat(listener.dialFailures).singleElement().isInstanceOf(ConnectException.class);

        long failedFast = pool.stats().failedFast();
        CompletableFuture<?> during = pool.acquire();
        assertThat(during).as("the backoff (>= 0.8 s) runs: fails without dialling").isCompletedExceptionally();
        assertThat(causeOf(during)).isInstanceOf(EndpointDownException.class).hasCauseInstanceOf(ConnectException.class);
        assertThat(pool.stats().failedFast()).isEqualTo(failedFast + 1);
        assertThat(connector.dials).hasValue(1);

        // After the backoff an acquire dials again (and is refused again).
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
            pool.acquire();
            return connector.dials.get() >= 2;
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().dialFailures() == 2);
        assertThat(pool.stats().total()).isZero();
    }

    @Test
    void anEndpointThatAcceptsAndHangsUpIsBackedOffNotHammered() throws Exception {
        ServerSocket server = server(50);
        List<Long> acceptedAt = new CopyOnWriteArrayList<>();
        acceptLoop(server, s -> {
            acceptedAt.add(System.nanoTime());
            SocketConnector.closeQuietly(s);
        });
        Duration initial = Duration.ofMillis(300);
        var pool = pool(server.getLocalPort(), PoolConfig.builder().minIdle(1).maxTotal(4)
                .redialDelayMax(Duration.ZERO) // only the backoff may space the dials out
                .dialBackoff(new ExponentialBackoff(initial, 2, 0.2, Duration.ofSeconds(5))), PoolListener.NONE);

        await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().dialFailures() >= 3);
        PoolStats s = pool.stats();
        assertThat(acceptedAt.size()).as("one accept per failed dial, not a loop").isBetween(3, (int) s.dialFailures() + 1);
        for (int i = 1; i < acceptedAt.size(); i++) {
            long gap = acceptedAt.get(i) - acceptedAt.get(i - 1);
            assertThat(gap).as("dial %d came after a backoff of at least 0.8 x 300 ms", i + 1)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(230).toNanos());
        }
        CompletableFuture<?> meanwhile = pool.acquire(Duration.ofSeconds(5));
        Throwable failure = causeOf(meanwhile);
        assertThat(failure).isInstanceOf(EndpointDownException.class);
        assertThat(failure.getCause()).hasMessageContaining("closed");
        assertThat(s.created()).as("hung-up connections that were registered were closed again")
                .isEqualTo(s.closed(CloseReason.PEER_CLOSED));
    }

    @Test
    void anEndpointThatNeverAnswersTheDialTimesOut() throws Exception {
        ServerSocket silent = server(1); // never accepts
        InetSocketAddress address = new InetSocketAddress(LOOPBACK, silent.getLocalPort());
        boolean full = false;
        for (int i = 0; i < 16 && !full; i++) {
            Socket filler = closeLater(new Socket());
            try {
                filler.connect(address, 300);
            } catch (SocketTimeoutException e) {
                full = true; // the accept queue is full: SYNs are dropped from now on
            }
        }
        if (!full) {
            fail("could not fill the accept queue of a backlog-1 listener in 16 connects; this test relies on the"
                    + " kernel dropping SYNs to a full accept queue (Linux does)");
        }

        RecordingListener listener = new RecordingListener();
        var pool = pool(silent.getLocalPort(), PoolConfig.builder().dialTimeout(Duration.ofMillis(300)), listener);
        long start = System.nanoTime();
        Throwable failure = causeOf(pool.acquire(Duration.ofSeconds(10)));
        long took = System.nanoTime() - start;
        assertThat(failure).isInstanceOf(EndpointDownException.class);
        assertThat(failure.getCause()).isInstanceOf(TimeoutException.class).hasMessageContaining("dialTimeout PT0.3S");
        assertThat(took).as("failed by the pool's dial timeout, not the acquire timeout")
                .isBetween(Duration.ofMillis(250).toNanos(), Duration.ofSeconds(5).toNanos());
        assertThat(pool.stats().dialing()).isZero();
        assertThat(pool.stats().total()).isZero();
        assertThat(listener.dialFailures).singleElement().isInstanceOf(TimeoutException.class);
    }

    @Test
    void connectionsThePeerClosedWhileIdleAreNeverLeasedOnceTheCloseIsObservable() throws Exception {
        ServerSocket server = server(50);
        Duration serverIdle = Duration.ofMillis(300);
        acceptLoop(server, s -> Thread.ofVirtual().start(() -> echoUntilIdle(s, serverIdle)));
        RecordingListener listener = new RecordingListener();
        var pool = pool(server.getLocalPort(), PoolConfig.builder().maxTotal(4).redialDelayMax(Duration.ZERO)
                // the peer closes after 300 ms idle: longer than the first backoff step, so a loss, not a failed dial
                .dialBackoff(new ExponentialBackoff(Duration.ofMillis(50), 2, 0.2, Duration.ofSeconds(1))), listener);

        Set<SocketConnector.Conn> seen = ConcurrentHashMap.newKeySet();
        for (int round = 1; round <= 3; round++) {
            List<Lease<SocketConnector.Conn>> leases = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                leases.add(pool.acquire().get(5, TimeUnit.SECONDS));
            }
            for (Lease<SocketConnector.Conn> l : leases) {
                SocketConnector.Conn c = l.connection();
                assertThat(seen.add(c)).as("round %d: a fresh connection, never one the peer closed", round).isTrue();
                assertThat(c.closed).as("round %d: not closed when leased", round).isFalse();
                assertThat(c.echoes(round, Duration.ofSeconds(2))).as("round %d: usable", round).isTrue();
                l.release();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().total() == 0);
            assertThat(seen).allMatch(c -> c.closedByPeer);
        }
        PoolStats s = pool.stats();
        assertThat(s.closed(CloseReason.PEER_CLOSED)).isEqualTo(12);
        assertThat(s.created()).isEqualTo(12);
        assertThat(s.dialFailures()).isZero();
        assertThat(listener.closedFor(CloseReason.PEER_CLOSED)).isEqualTo(12);
    }

    /** Echoes bytes back; closes the connection once nothing arrived for {@code idle}. */
    private static void echoUntilIdle(Socket s, Duration idle) {
        try (s) {
            s.setSoTimeout((int) idle.toMillis());
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            for (int b; (b = in.read()) >= 0; ) {
                out.write(b);
                out.flush();
            }
        } catch (IOException e) {
            // idle (SocketTimeoutException) or gone: close
        }
    }
}
