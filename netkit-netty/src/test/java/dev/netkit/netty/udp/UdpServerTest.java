package dev.netkit.netty.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.netty.transport.TransportKind;
import io.netty.channel.epoll.Epoll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** {@link UdpServer} on real loopback sockets: echo, sockets per thread, sizes, stats, per-thread handlers. */
class UdpServerTest {
    private static final byte[] OK = {'o', 'k'};

    static UdpServerConfig.Builder loopback() {
        return UdpServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1);
    }

    @Test
    void echoesEachDatagramAndCountsIt() {
        try (UdpServer server = UdpServer.builder().config(loopback().build()).handler(DatagramHandler.echo()).start();
             UdpPeer peer = new UdpPeer(server.localAddress())) {
            for (int i = 0; i < 20; i++) {
                byte[] payload = UdpPeer.bytes(64, i);
                peer.send(payload);
                assertThat(peer.receive(3_000)).as("echo %d", i).isEqualTo(payload);
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                UdpStats s = server.stats();
                assertThat(s.packetsIn()).isEqualTo(20);
                assertThat(s.bytesIn()).isEqualTo(20 * 64);
                assertThat(s.packetsOut()).isEqualTo(20);
                assertThat(s.bytesOut()).isEqualTo(20 * 64);
                assertThat(s.dropsTotal()).isZero();
                assertThat(s.drops()).containsOnlyKeys("rate", "handler_error", "queue_full", "oversize");
                assertThat(s.readBatches()).isBetween(1L, 20L);
                assertThat(s.batchSizes().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(s.readBatches());
            });
        }
    }

    @Test
    void aZeroLengthDatagramReachesTheHandlerAndAnEmptyAnswerIsNotSent() {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        DatagramHandler echoAndRecord = (d, r) -> {
            seen.add(d.length() + " from " + d.sender().getPort());
            d.copyTo(r.reply(d.length()));
        };
        try (UdpServer server = UdpServer.builder().config(loopback().build()).handler(echoAndRecord).start();
             UdpPeer peer = new UdpPeer(server.localAddress())) {
            peer.send(new byte[0]);
            peer.send(OK);
            assertThat(peer.receive(3_000)).as("the empty answer is skipped; the next one arrives").isEqualTo(OK);
            assertThat(seen).containsExactly("0 from " + peer.localPort(), "2 from " + peer.localPort());
            UdpStats s = server.stats();
            assertThat(s.packetsIn()).isEqualTo(2);
            assertThat(s.packetsOut()).isEqualTo(1);
            assertThat(s.dropsTotal()).isZero();
        }
    }

    @Test
    void aMaximumSizeDatagramIsEchoedWhole() {
        UdpServerConfig config = loopback().maxDatagramSize(UdpServerConfig.MAX_UDP_PAYLOAD).receiveBatch(4).build();
        try (UdpServer server = UdpServer.builder().config(config).handler(DatagramHandler.echo()).start();
             UdpPeer peer = new UdpPeer(server.localAddress())) {
            byte[] max = UdpPeer.bytes(65_507, 7);
            peer.send(max);
            assertThat(peer.receive(3_000)).isEqualTo(max);
            assertThat(server.stats().drops(UdpDropReason.OVERSIZE)).isZero();
            assertThat(server.stats().bytesOut()).isEqualTo(65_507);
        }
    }

    @Test
    void epollBindsOneReusePortSocketPerThreadAndKeepsEachSourceOnOneThread() {
        assertThat(Epoll.isAvailable()).as("epoll on this Linux machine").isTrue();
        Map<Integer, String> threadOfSource = new ConcurrentHashMap<>();
        List<String> conflicts = new ArrayList<>();
        DatagramHandler recordThread = (d, r) -> {
            String previous = threadOfSource.putIfAbsent(d.sender().getPort(), Thread.currentThread().getName());
            if (previous != null && !previous.equals(Thread.currentThread().getName())) {
                synchronized (conflicts) {
                    conflicts.add(d.sender() + " on " + previous + " and " + Thread.currentThread().getName());
                }
            }
            d.copyTo(r.reply(d.length()));
        };
        UdpServerConfig config = loopback().ioThreads(2).transport(TransportKind.EPOLL).build();
        try (UdpServer server = UdpServer.builder().config(config).handler(recordThread).start()) {
            assertThat(server.sockets()).isEqualTo(2);
            assertThat(server.transportName()).isEqualTo("epoll");
            for (int source = 0; source < 16; source++) {
                try (UdpPeer peer = new UdpPeer(server.localAddress())) {
                    for (int i = 0; i < 5; i++) {
                        peer.send(UdpPeer.bytes(32, i));
                        assertThat(peer.receive(3_000)).isNotNull();
                    }
                }
            }
            assertThat(conflicts).isEmpty();
            assertThat(threadOfSource).hasSize(16);
            assertThat(server.stats().packetsIn()).isEqualTo(80);
        }
    }

    @Test
    void aHandlerPerThreadIsMadeOncePerSocket() {
        List<DatagramHandler> made = new ArrayList<>();
        UdpServerConfig config = loopback().ioThreads(2).transport(TransportKind.EPOLL).build();
        try (UdpServer server = UdpServer.builder().config(config).handlerPerThread(() -> {
            DatagramHandler h = DatagramHandler.echo();
            made.add(h);
            return h;
        }).start()) {
            assertThat(made).hasSize(server.sockets()).hasSize(2);
        }
    }

    @Test
    void nioFallbackBindsOneSocketAndEchoes() {
        UdpServerConfig config = loopback().ioThreads(2).transport(TransportKind.NIO).build();
        try (UdpServer server = UdpServer.builder().config(config).handler(DatagramHandler.echo()).start();
             UdpPeer peer = new UdpPeer(server.localAddress())) {
            assertThat(server.sockets()).isEqualTo(1);
            byte[] payload = UdpPeer.bytes(100, 3);
            peer.send(payload);
            assertThat(peer.receive(3_000)).isEqualTo(payload);
        }
    }

    @Test
    void aBurstIsReceivedInBatchesAndEveryDatagramAnswered() {
        try (UdpServer server = UdpServer.builder().config(loopback().build()).handler(DatagramHandler.echo()).start();
             UdpPeer peer = new UdpPeer(server.localAddress())) {
            for (int i = 0; i < 500; i++) {
                peer.send(UdpPeer.bytes(64, i));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().packetsIn() == 500);
            assertThat(peer.drain(500)).isEqualTo(500);
            UdpStats s = server.stats();
            assertThat(s.packetsOut()).isEqualTo(500);
            assertThat(s.meanBatchSize()).isGreaterThanOrEqualTo(1.0);
            System.out.println("500 datagrams in " + s.readBatches() + " batches: " + s.batchSizes());
        }
    }

    @Test
    void configErrorsNameTheFieldAndValue() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> loopback().maxDatagramSize(65_508).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDatagramSize").hasMessageContaining("65508");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> loopback().ratePerSource(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ratePerSource");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> UdpServer.builder().config(loopback().build()).start())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("handler");
    }
}
