package dev.netkit.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.error.ErrorKind;
import dev.netkit.core.error.NetkitException;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.testing.ScriptedPeer;
import dev.netkit.netty.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Several endpoints: round robin, and a dead endpoint that costs nothing. */
class BrokerEndpointsTest {


    @Test
    void requestsAlternateBetweenEndpoints() throws Exception {
        try (FrameServer a = TestServers.echo(); FrameServer b = TestServers.echo();
             Broker broker = Broker.create(BrokerConfig.builder()
                     .endpoints("127.0.0.1:" + a.localAddress().getPort() + ",127.0.0.1:" + b.localAddress().getPort())
                     .build())) {
            for (int i = 0; i < 100; i++) {
                byte[] p = ("r" + i).getBytes(StandardCharsets.US_ASCII);
                assertThat(broker.call(p)).isEqualTo(p);
            }
            assertThat(a.stats().requests()).isEqualTo(50);
            assertThat(b.stats().requests()).isEqualTo(50);
            assertThat(broker.stats().openConnections()).isEqualTo(2);
        }
    }

    @Test
    void aDeadEndpointCostsNoRequestsThanksToRetriesOfUnwrittenOnes() throws Exception {
        int deadPort;
        try (ScriptedPeer gone = new ScriptedPeer()) {
            deadPort = gone.port();
        }
        try (FrameServer live = TestServers.echo();
             Broker broker = Broker.create(BrokerConfig.builder()
                     .endpoints("127.0.0.1:" + deadPort + ",127.0.0.1:" + live.localAddress().getPort())
                     .reconnectBackoffMax(Duration.ofSeconds(5))
                     .build())) {
            Map<ErrorKind, Integer> failures = new EnumMap<>(ErrorKind.class);
            int ok = 0;
            for (int i = 0; i < 200; i++) {
                byte[] p = ("r" + i).getBytes(StandardCharsets.US_ASCII);
                try {
                    assertThat(broker.call(p)).isEqualTo(p);
                    ok++;
                } catch (NetkitException e) {
                    failures.merge(e.kind(), 1, Integer::sum);
                    assertThat(e.getMessage()).contains("127.0.0.1:" + deadPort);
                }
            }
            // Requests queued on the dead endpoint's failed connects were never written: each is
            // retried once on the live endpoint, and 5 failures in a row eject the dead one.
            assertThat(ok).as("failures: %s", failures).isEqualTo(200);
            assertThat(failures.keySet()).isSubsetOf(ErrorKind.CONNECTION_LOST);
            assertThat(live.stats().requests()).isEqualTo(ok);
        }
    }
}
