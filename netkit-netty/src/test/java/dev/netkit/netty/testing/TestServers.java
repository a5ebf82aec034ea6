package dev.netkit.netty.testing;

import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.FrameServerConfig;
import dev.netkit.netty.server.RequestHandler;
import java.io.IOException;
import java.time.Duration;

/** Configurations for servers started by tests: loopback, any free port, short timeouts. */
public final class TestServers {
    private TestServers() {}

    public static FrameServerConfig.Builder loopback() {
        return FrameServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .shutdownTimeout(Duration.ofSeconds(5));
    }

    /** An echo server on a free loopback port, started. */
    public static FrameServer echo() {
        return FrameServer.builder().config(loopback().build()).handler(RequestHandler.echo()).start();
    }

    /**
     * A loopback port nothing listens on (it was bound a moment ago and closed): connects are
     * refused. Taken below the kernel's ephemeral range, so that no {@code bind(0)} (a proxy under
     * test) and no connect's source port can land on it: a connect from 127.0.0.1:P to
     * 127.0.0.1:P succeeds by itself (TCP simultaneous open), and a freed ephemeral port may be the
     * next server's, either of which turns the "dead" endpoint into a live one.
     */
    public static int deadPort() throws IOException {
        int below = Math.max(ephemeralRangeStart(), 10_001);
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = random.nextInt(10_000, below);
            try (java.net.ServerSocket s = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (java.net.BindException taken) {
                // someone's: draw again
            }
        }
        throw new IOException("no free loopback port between 10000 and " + below + " in 100 draws");
    }

    private static int ephemeralRangeStart() {
        try {
            // readAllLines, not readString: on this JDK readString of a procfs file returned only its first byte
            String range = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).strip();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768; // Linux's default
        }
    }
}
