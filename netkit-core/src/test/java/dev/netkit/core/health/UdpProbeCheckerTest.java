package dev.netkit.core.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.netkit.core.endpoint.Endpoint;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The UDP probe against real loopback sockets: a matching reply, a wrong one, silence, and ICMP port-unreachable. */
class UdpProbeCheckerTest {
    private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "pong".getBytes(StandardCharsets.US_ASCII);

    /** A backend answering each datagram with {@code answer} (or nothing when null), on a virtual thread. */
    private static DatagramSocket backend(byte[] answer) throws Exception {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[512];
            while (!s.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    s.receive(p);
                    if (answer != null) {
                        s.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
                    }
                } catch (Exception closed) {
                    return;
                }
            }
        });
        return s;
    }

    private static HealthCheckException failure(UdpProbeChecker checker, int port, Duration timeout) {
        Throwable t = catchThrowable(() -> checker.check(new Endpoint("127.0.0.1", port), timeout).toCompletableFuture().join());
        assertThat(t).isInstanceOf(CompletionException.class);
        assertThat(t.getCause()).isInstanceOf(HealthCheckException.class);
        return (HealthCheckException) t.getCause();
    }

    @Test
    void aReplyStartingWithTheExpectedBytesPassesAndAnotherFails() throws Exception {
        try (DatagramSocket good = backend("pong!".getBytes(StandardCharsets.US_ASCII)); DatagramSocket bad = backend(PING)) {
            UdpProbeChecker checker = new UdpProbeChecker(PING, PONG);
            checker.check(new Endpoint("127.0.0.1", good.getLocalPort()), Duration.ofSeconds(2)).toCompletableFuture().join();
            HealthCheckException e = failure(checker, bad.getLocalPort(), Duration.ofSeconds(2));
            assertThat(e.kind()).isEqualTo(HealthCheckException.Kind.WRONG_ANSWER);
            assertThat(e.getMessage()).startsWith("udp probe to 127.0.0.1:" + bad.getLocalPort()).contains("expected 4 bytes");
            // without expected bytes any reply passes
            new UdpProbeChecker(PING, new byte[0]).check(new Endpoint("127.0.0.1", bad.getLocalPort()), Duration.ofSeconds(2))
                    .toCompletableFuture().join();
        }
    }

    @Test
    void silenceTimesOutAndAClosedPortIsUnreachable() throws Exception {
        UdpProbeChecker checker = new UdpProbeChecker(PING, PONG);
        try (DatagramSocket silent = backend(null)) {
            HealthCheckException e = failure(checker, silent.getLocalPort(), Duration.ofMillis(100));
            assertThat(e.kind()).isEqualTo(HealthCheckException.Kind.TIMED_OUT);
            assertThat(e.getMessage()).endsWith("no reply within 100 ms");
        }
        int closed;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            closed = s.getLocalPort();
        }
        HealthCheckException e = failure(checker, closed, Duration.ofSeconds(2));
        assertThat(e.kind()).isEqualTo(HealthCheckException.Kind.CONNECT_FAILED);
        assertThat(e.getMessage()).endsWith("port unreachable");
    }
}
