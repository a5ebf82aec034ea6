package dev.netkit.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.balance.BalancerListener;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.ErrorKind;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.ScriptedPeer;
import dev.netkit.netty.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The per-attempt hook metrics and events hang on: every attempt told once, with its endpoint, latency and failure. */
class BrokerObserverTest {
    record Seen(Endpoint endpoint, long latencyNanos, ErrorKind failure, boolean retried) {}

    @Test
    void everyAttemptIsToldOnceWithItsEndpointLatencyAndFailure() throws Exception {
        int dead;
        try (ScriptedPeer gone = new ScriptedPeer()) {
            dead = gone.port();
        }
        List<Seen> seen = new CopyOnWriteArrayList<>();
        RequestObserver observer = (endpoint, latency, failure, retried) -> {
            seen.add(new Seen(endpoint, latency, failure, retried));
            if (seen.size() == 3) {
                throw new IllegalStateException("an observer bug must not hurt requests");
            }
        };
        try (FrameServer live = FrameServer.builder().config(TestServers.loopback().build()).handler(RequestHandler.echo()).start();
             Broker broker = Broker.create(BrokerConfig.builder()
                     .endpoints("127.0.0.1:" + dead + ",127.0.0.1:" + live.localAddress().getPort()).build(),
                     BalancerListener.NONE, observer)) {
            Endpoint liveEndpoint = new Endpoint("127.0.0.1", live.localAddress().getPort());
            for (int i = 0; i < 50; i++) {
                byte[] p = ("r" + i).getBytes(StandardCharsets.US_ASCII);
                assertThat(broker.call(p)).isEqualTo(p);
            }
            List<Seen> successes = seen.stream().filter(s -> s.failure() == null).toList();
            List<Seen> failures = seen.stream().filter(s -> s.failure() != null).toList();
            assertThat(successes).hasSize(50).allSatisfy(s -> {
                assertThat(s.endpoint()).isEqualTo(liveEndpoint);
                assertThat(s.latencyNanos()).isPositive();
                assertThat(s.retried()).isFalse();
            });
            assertThat(failures).isNotEmpty().allSatisfy(s -> {
                assertThat(s.endpoint().port()).isEqualTo(dead);
                assertThat(s.failure()).isEqualTo(ErrorKind.CONNECTION_LOST);
                assertThat(s.retried()).as("never written: sent to the live endpoint instead").isTrue();
            });
            assertThat((long) failures.size()).isEqualTo(broker.stats().retries());
        }
    }
}
