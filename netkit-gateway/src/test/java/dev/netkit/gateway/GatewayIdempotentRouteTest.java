package dev.netkit.gateway;

import static dev.netkit.netty.testing.RawClient.frame;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.gateway.internal.cluster.ClusterRuntime;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.testing.RawClient;
import dev.netkit.netty.testing.ScriptedPeer;
import dev.netkit.netty.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A route marked {@code idempotent: true} lets the cluster's retry policy send a request again on
 * another endpoint after it was written to one that then died; without it, such a request fails
 * (here: the client's connection is closed, {@code on_failure: close}) and only never-written
 * requests are retried.
 */
class GatewayIdempotentRouteTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T later(T c) {
        toClose.add(c);
        return c;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @ParameterizedTest(name = "idempotent: {0}")
    @ValueSource(booleans = {true, false})
    void aWrittenRequestOnADyingEndpointIsRetriedOnlyOnAnIdempotentRoute(boolean idempotent) throws Exception {
        ScriptedPeer dying = later(new ScriptedPeer());
        FrameServer echo = later(TestServers.echo());
        String echoAt = "127.0.0.1:" + echo.localAddress().getPort();
        Gateway g = later(Gateway.start(GatewayAnetTest.parse("""
                listeners:
                  - name: front
                    bind: 127.0.0.1:0
                    protocol: anet
                    on_failure: close
                    routes:
                      - { cluster: up, idempotent: %s }
                clusters:
                  - name: up
                    endpoints: [ "%s", "%s" ]
                    health: { enabled: false }
                    outlier: { enabled: false }
                    breaker: { enabled: false }
                    timeouts: { request: 3s }
                    upstream: { connections: 1 }
                """.formatted(idempotent, dying.endpoint(), echoAt))));
        ClusterRuntime up = g.clusters().getFirst();
        Endpoint echoEndpoint = Endpoint.parse(echoAt);
        assertThat(up.setDrained(echoEndpoint, true)).isTrue(); // the first attempt must go to the dying one

        try (RawClient client = new RawClient(g.address("front"))) {
            client.write(frame(42, bytes("sign this")));
            dying.accept();
            assertThat(dying.read().payload()).isEqualTo(bytes("sign this")); // written: it reached the endpoint
            up.setDrained(echoEndpoint, false);
            dying.kill();

            if (idempotent) {
                assertThat(client.readFrame()).isEqualTo(frame(42, bytes("sign this")));
            } else {
                assertThat(client.closedByPeerWithin(5_000)).isTrue();
            }
        }
        AnetListenerStats stats = (AnetListenerStats) g.listenerStats().getFirst();
        assertThat(stats.answered()).isEqualTo(idempotent ? 1 : 0);
        assertThat(stats.closed()).isEqualTo(idempotent ? 0 : 1);
        assertThat(echo.stats().requests()).isEqualTo(idempotent ? 1 : 0);
    }
}
