package dev.netkit.netty.testing;

import dev.netkit.netty.server.FrameServerConfig;
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
}
