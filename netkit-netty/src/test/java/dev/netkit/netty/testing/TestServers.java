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

    /** A loopback port nothing listens on (it was bound a moment ago and closed): connects are refused. */
    public static int deadPort() throws IOException {
        try (ScriptedPeer gone = new ScriptedPeer()) {
            return gone.port();
        }
    }
}
