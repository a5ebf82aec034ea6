package dev.netkit.core.health;

import dev.netkit.core.endpoint.Endpoint;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadFactory;

/**
 * The simplest active check: the endpoint is healthy when a TCP connection to it opens within the
 * timeout (the connection is closed at once, without sending anything). Proves the process
 * listens and accepts, not that it serves; use a protocol probe for that.
 *
 * <p>Each check runs on its own virtual thread: the host name is resolved there, then a blocking
 * {@link Socket#connect(java.net.SocketAddress, int)} bounded by what is left of the timeout. The
 * caller never blocks. Stateless and thread-safe; nothing to close.
 *
 * <p>Failures are {@link HealthCheckException}s of kind {@code CONNECT_FAILED} or
 * {@code TIMED_OUT} whose message says what happened, for example
 * {@code "connect to 127.0.0.1:7001 refused"} or
 * {@code "connect to 10.0.0.9:7001 timed out after 1000 ms"}.
 */
public final class TcpConnectChecker implements HealthChecker {
    private static final ThreadFactory THREADS = Thread.ofVirtual().name("netkit-health-tcp-", 0).factory();

    /** Creates a checker. */
    public TcpConnectChecker() {}

    @Override
    public CompletionStage<Void> check(Endpoint endpoint, Duration timeout) {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(timeout, "timeout");
        CompletableFuture<Void> result = new CompletableFuture<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        THREADS.newThread(() -> {
            try {
                connect(endpoint, timeout, deadline);
                result.complete(null);
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }).start();
        return result;
    }

    private static void connect(Endpoint endpoint, Duration timeout, long deadline) {
        long timeoutMs = timeout.toMillis();
        InetAddress address;
        try {
            address = InetAddress.getByName(endpoint.host()); // no lookup for a literal address
        } catch (UnknownHostException e) {
            throw new HealthCheckException(HealthCheckException.Kind.CONNECT_FAILED,
                    "connect to " + endpoint + " failed: unknown host " + endpoint.host(), e);
        }
        // Socket.connect treats 0 as "no timeout": always pass at least 1 ms.
        long leftMs = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, endpoint.port()), (int) Math.min(Integer.MAX_VALUE, leftMs));
        } catch (SocketTimeoutException e) {
            throw new HealthCheckException(HealthCheckException.Kind.TIMED_OUT,
                    "connect to " + endpoint + " timed out after " + timeoutMs + " ms", e);
        } catch (ConnectException e) {
            String what = e.getMessage() != null && e.getMessage().toLowerCase().contains("refused")
                    ? "refused" : "failed: " + e.getMessage();
            throw new HealthCheckException(HealthCheckException.Kind.CONNECT_FAILED, "connect to " + endpoint + " " + what, e);
        } catch (IOException e) {
            throw new HealthCheckException(HealthCheckException.Kind.CONNECT_FAILED,
                    "connect to " + endpoint + " failed: " + e, e);
        }
    }
}
