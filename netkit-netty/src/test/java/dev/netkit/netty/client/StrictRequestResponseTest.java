package dev.netkit.netty.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.netty.testing.ScriptedPeer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** maxInFlightPerConnection = 1: one request on the wire at a time, for servers that cannot pipeline. */
class StrictRequestResponseTest {
    @Test
    void withOneInFlightTheSecondRequestWaitsForTheFirstAnswer() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer();
             Broker broker = Broker.create(BrokerConfig.builder().endpoints(peer.endpoint()).maxInFlightPerConnection(1).build())) {
            CompletableFuture<byte[]> first = broker.send("1".getBytes(StandardCharsets.US_ASCII));
            peer.accept();
            ScriptedPeer.Request r1 = peer.read();
            CompletableFuture<byte[]> second = broker.send("2".getBytes(StandardCharsets.US_ASCII));
            assertThat(second).as("waits for the only slot").isNotDone();
            assertThat(peer.receivesAnythingWithin(200)).as("nothing written while the first is unanswered").isFalse();
            peer.reply(r1.id(), "one".getBytes(StandardCharsets.US_ASCII));
            assertThat(first.get(5, TimeUnit.SECONDS)).asString(StandardCharsets.US_ASCII).isEqualTo("one");
            ScriptedPeer.Request r2 = peer.read();
            assertThat(r2.id()).isNotEqualTo(r1.id());
            peer.reply(r2.id(), "two".getBytes(StandardCharsets.US_ASCII));
            assertThat(second.get(5, TimeUnit.SECONDS)).asString(StandardCharsets.US_ASCII).isEqualTo("two");
        }
    }
}
