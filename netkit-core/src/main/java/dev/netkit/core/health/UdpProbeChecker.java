package dev.netkit.core.health;

import dev.netkit.core.endpoint.Endpoint;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadFactory;

/**
 * An active check for UDP services: sends one probe datagram from a fresh connected socket and
 * waits for a reply within the timeout. Healthy when a reply arrives that starts with the expected
 * bytes (any reply when none are expected). UDP has no handshake, so there is nothing cheaper to
 * check: a TCP connect says nothing about a UDP port, and silence can mean a lost datagram (the
 * runner's thresholds absorb single losses).
 *
 * <p>Each check runs on its own virtual thread (host name resolved there). Stateless and
 * thread-safe; nothing to close. Failures are {@link HealthCheckException}s:
 * {@code CONNECT_FAILED} for an ICMP port-unreachable ({@code "udp probe to 127.0.0.1:53:
 * port unreachable"}) or an unknown host, {@code TIMED_OUT} without a reply, {@code WRONG_ANSWER}
 * for a reply that does not start with the expected bytes.
 */
public final class UdpProbeChecker implements HealthChecker {
    private static final ThreadFactory THREADS = Thread.ofVirtual().name("netkit-health-udp-", 0).factory();
    private static final int MAX_REPLY = 65_535;

    private final byte[] probe;
    private final byte[] expect;

    /**
     * @param probe  the datagram sent, at least one byte
     * @param expect the bytes the reply must start with; empty = any reply
     */
    public UdpProbeChecker(byte[] probe, byte[] expect) {
        Objects.requireNonNull(probe, "probe");
        Objects.requireNonNull(expect, "expect");
        if (probe.length == 0) {
            throw new IllegalArgumentException("probe: empty (expected at least one byte)");
        }
        this.probe = probe.clone();
        this.expect = expect.clone();
    }

    @Override
    public CompletionStage<Void> check(Endpoint endpoint, Duration timeout) {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(timeout, "timeout");
        CompletableFuture<Void> result = new CompletableFuture<>();
        THREADS.newThread(() -> {
            try {
                probe(endpoint, timeout);
                result.complete(null);
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }).start();
        return result;
    }

    private void probe(Endpoint endpoint, Duration timeout) {
        String what = "udp probe to " + endpoint;
        InetAddress address;
        try {
            address = InetAddress.getByName(endpoint.host());
        } catch (UnknownHostException e) {
            throw new HealthCheckException(HealthCheckException.Kind.CONNECT_FAILED, what + ": unknown host " + endpoint.host(), e);
        }
        // connected, so the kernel reports an ICMP port-unreachable as PortUnreachableException on receive
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(new InetSocketAddress(address, endpoint.port()));
            socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            socket.send(new DatagramPacket(probe, probe.length));
            DatagramPacket reply = new DatagramPacket(new byte[MAX_REPLY], MAX_REPLY);
            socket.receive(reply);
            if (reply.getLength() < expect.length
                    || !Arrays.equals(reply.getData(), 0, expect.length, expect, 0, expect.length)) {
                throw new HealthCheckException(HealthCheckException.Kind.WRONG_ANSWER,
                        what + ": the reply (" + reply.getLength() + " bytes) does not start with the expected " + expect.length + " bytes");
            }
        } catch (PortUnreachableException e) {
            throw new HealthCheckException(HealthCheckException.Kind.CONNECT_FAILED, what + ": port unreachable", e);
        } catch (SocketTimeoutException e) {
            throw new HealthCheckException(HealthCheckException.Kind.TIMED_OUT,
                    what + ": no reply within " + timeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw new HealthCheckException(HealthCheckException.Kind.CONNECT_FAILED, what + " failed: " + e, e);
        }
    }
}
