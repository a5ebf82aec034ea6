package dev.netkit.netty.udp;

import static dev.netkit.netty.udp.UdpServerTest.loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.event.EventBus;
import dev.netkit.core.event.LimitReached;
import dev.netkit.core.time.ManualTicker;
import dev.netkit.netty.testing.EventLog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Bad input on real loopback sockets: each case is counted, and the server keeps serving. */
class UdpBadInputTest {
    private static final byte[] OK = "ok".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aDatagramLargerThanTheLimitIsTruncatedByTheKernelCountedAndDropped() {
        try (UdpServer server = UdpServer.builder().config(loopback().maxDatagramSize(100).build())
                .handler(DatagramHandler.echo()).start();
             UdpPeer peer = new UdpPeer(server.localAddress())) {
            peer.send(UdpPeer.bytes(101, 1));
            peer.send(UdpPeer.bytes(5_000, 2));
            byte[] fits = UdpPeer.bytes(100, 3);
            peer.send(fits);
            assertThat(peer.receive(3_000)).as("only the datagram within the limit is answered").isEqualTo(fits);
            assertThat(peer.receive(200)).isNull();
            UdpStats s = server.stats();
            assertThat(s.drops(UdpDropReason.OVERSIZE)).isEqualTo(2);
            assertThat(s.packetsIn()).isEqualTo(3);
            assertThat(s.bytesIn()).as("a truncated datagram counts the slot it filled").isEqualTo(101 + 101 + 100);
            assertThat(s.packetsOut()).isEqualTo(1);
        }
    }

    @Test
    void anAnswerLargerThanTheLimitIsDroppedAndCounted() {
        DatagramHandler tooLong = (d, r) -> r.reply(10).writeZero(11); // the buffer grows, the limit holds
        try (UdpServer server = UdpServer.builder().config(loopback().maxDatagramSize(10).build()).handler(tooLong).start();
             UdpPeer peer = new UdpPeer(server.localAddress())) {
            peer.send(OK);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().drops(UdpDropReason.OVERSIZE) == 1);
            assertThat(peer.receive(200)).isNull();
            assertThat(server.stats().packetsOut()).isZero();
        }
    }

    @Test
    void aHandlerThatThrowsCostsOnlyItsDatagram() {
        DatagramHandler failsOnX = (d, r) -> {
            r.reply(d.length()); // allocated before the throw: must be released, not leaked
            if (d.length() > 0 && d.getByte(0) == 'X') {
                throw new IllegalStateException("handler failure on purpose");
            }
            d.copyTo(r.reply(d.length()));
        };
        try (UdpServer server = UdpServer.builder().config(loopback().build()).handler(failsOnX).start();
             UdpPeer peer = new UdpPeer(server.localAddress())) {
            peer.send("X1".getBytes(StandardCharsets.US_ASCII));
            peer.send(OK);
            assertThat(peer.receive(3_000)).isEqualTo(OK);
            peer.send("X2".getBytes(StandardCharsets.US_ASCII));
            peer.send(OK);
            assertThat(peer.receive(3_000)).isEqualTo(OK);
            assertThat(peer.receive(200)).isNull();
            assertThat(server.stats().drops(UdpDropReason.HANDLER_ERROR)).isEqualTo(2);
            assertThat(server.stats().packetsOut()).isEqualTo(2);
        }
    }

    @Test
    void aFloodFromOneSourceIsLimitedAndOtherSourcesAreUnaffected() {
        ManualTicker clock = new ManualTicker(); // frozen: exactly the burst passes
        EventLog log = new EventLog();
        try (EventBus bus = EventBus.create()) {
            bus.subscribe(log);
            UdpServerConfig config = loopback().ratePerSource(100).burstPerSource(10).build();
            try (UdpServer server = UdpServer.builder().config(config).handler(DatagramHandler.echo()).events(bus)
                    .ticker(clock).start();
                 UdpPeer flooder = new UdpPeer("127.0.0.1", server.localAddress());
                 UdpPeer other = new UdpPeer("127.0.0.2", server.localAddress())) {
                for (int i = 0; i < 300; i++) {
                    flooder.send(UdpPeer.bytes(64, i));
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().packetsIn() >= 300
                        || server.stats().drops(UdpDropReason.RATE) >= 250);
                for (int i = 0; i < 5; i++) {
                    byte[] payload = UdpPeer.bytes(64, 1000 + i);
                    other.send(payload);
                    assertThat(other.receive(3_000)).as("the other source's datagram %d", i).isEqualTo(payload);
                }
                assertThat(flooder.drain(300)).as("the flooder gets its burst answered, no more").isEqualTo(10);
                UdpStats s = server.stats();
                assertThat(s.drops(UdpDropReason.RATE)).isEqualTo(s.packetsIn() - 15);
                assertThat(s.packetsOut()).isEqualTo(15);

                clock.advance(Duration.ofMillis(50)); // 5 more datagrams' worth at 100/s
                for (int i = 0; i < 20; i++) {
                    flooder.send(UdpPeer.bytes(64, i));
                }
                assertThat(flooder.drain(300)).as("after 50 ms at 100/s").isEqualTo(5);
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(log.of(LimitReached.class))
                        .as("one event per limiting episode, not one per drop").hasSize(2)
                        .allSatisfy(e -> {
                            assertThat(e.limit()).isEqualTo(LimitReached.Limit.UDP_RATE_PER_SOURCE);
                            assertThat(e.endpoint().host()).isEqualTo("127.0.0.1");
                            assertThat(e.value()).isEqualTo(100);
                        }));
            }
        }
    }

    @Test
    void aBlockingHandlerThatBlocksFillsItsBoundedQueueAndTheRestIsDroppedAndCounted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        DatagramHandler blocks = (d, r) -> {
            if (!release.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
            d.copyTo(r.reply(d.length()));
        };
        EventLog log = new EventLog();
        try (EventBus bus = EventBus.create()) {
            bus.subscribe(log, Set.of(LimitReached.class));
            UdpServerConfig config = loopback().blockingThreads(1).blockingQueueCapacity(4).build();
            try (UdpServer server = UdpServer.builder().config(config).blockingHandler(blocks).events(bus).start();
                 UdpPeer peer = new UdpPeer(server.localAddress())) {
                for (int i = 0; i < 10; i++) {
                    peer.send(UdpPeer.bytes(16, i));
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().packetsIn() == 10);
                UdpStats blocked = server.stats();
                assertThat(blocked.drops(UdpDropReason.QUEUE_FULL)).as("1 running + 4 queued; the other 5 dropped").isEqualTo(5);
                assertThat(blocked.blockingQueued()).isEqualTo(4);
                release.countDown();
                assertThat(peer.drain(500)).isEqualTo(5);
                assertThat(server.stats().packetsOut()).isEqualTo(5);
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(log.of(LimitReached.class))
                        .singleElement().satisfies(e -> assertThat(e.limit()).isEqualTo(LimitReached.Limit.UDP_BLOCKING_QUEUE)));
            }
        }
    }

    @Test
    void answersToAClosedPortDoNotStopTheServer() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        DatagramHandler answersLate = (d, r) -> {
            if (d.getByte(0) == 'L' && !closed.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
            d.copyTo(r.reply(d.length()));
        };
        UdpServerConfig config = loopback().blockingThreads(4).build();
        try (UdpServer server = UdpServer.builder().config(config).blockingHandler(answersLate).start()) {
            int gone = 20;
            for (int i = 0; i < gone; i++) { // each answer goes to a port closed meanwhile: ICMP port unreachable
                try (UdpPeer leaving = new UdpPeer(server.localAddress())) {
                    leaving.send("L".getBytes(StandardCharsets.US_ASCII));
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().packetsIn() == gone);
            closed.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().packetsOut() == gone);
            try (UdpPeer staying = new UdpPeer(server.localAddress())) {
                for (int i = 0; i < 3; i++) {
                    staying.send(OK);
                    assertThat(staying.receive(3_000)).as("answer after the unreachable ones").isEqualTo(OK);
                }
            }
            UdpStats s = server.stats();
            assertThat(s.packetsOut()).isEqualTo(gone + 3);
            assertThat(s.dropsTotal()).isZero();
            // An unconnected socket on Linux gets no error for ICMP port unreachable (no IP_RECVERR):
            // nothing fails, so nothing is counted as a socket error.
            assertThat(s.sendErrors()).isZero();
        }
    }
}
