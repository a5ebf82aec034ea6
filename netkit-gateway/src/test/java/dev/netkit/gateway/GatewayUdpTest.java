package dev.netkit.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.gateway.config.GatewayConfig;
import dev.netkit.gateway.testing.UdpBackend;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A udp listener in a running gateway: endpoints changed by a reload under traffic, and a removed listener closing. */
class GatewayUdpTest {
    private static final String YAML = """
            listeners:
              - { name: udp-front, bind: "127.0.0.1:0", protocol: udp, cluster: pool, idle_timeout: 200ms }
            clusters:
              - name: pool
                endpoints: [ %s ]
            admin: { bind: "127.0.0.1:0" }
            io: { threads: 1 }
            """;

    @Test
    void aReloadThatChangesTheEndpointsUnderTrafficMovesSessionsAndLosesNothingElse() throws Exception {
        try (UdpBackend a = UdpBackend.tagged('a'); UdpBackend b = UdpBackend.tagged('b');
             Gateway gateway = Gateway.start(GatewayAnetTest.parse(YAML.formatted("\"" + a.address() + "\"")));
             DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            InetSocketAddress at = gateway.address("udp-front");
            client.setSoTimeout(200);
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong fromA = new AtomicLong();
            AtomicLong fromB = new AtomicLong();
            Future<?> traffic = threads.submit(() -> {
                byte[] buf = new byte[64];
                int i = 0;
                while (running.get()) {
                    byte[] out = ("t" + i++).getBytes(StandardCharsets.US_ASCII);
                    client.send(new DatagramPacket(out, out.length, at));
                    DatagramPacket in = new DatagramPacket(buf, buf.length);
                    try {
                        client.receive(in);
                        (buf[0] == 'a' ? fromA : fromB).incrementAndGet();
                    } catch (SocketTimeoutException lost) {
                        // a datagram in flight to a removed endpoint may be lost: that is UDP
                    }
                }
                return null;
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> fromA.get() >= 20);
            gateway.reload(GatewayAnetTest.parse(YAML.formatted("\"" + b.address() + "\"")));
            assertThat(gateway.address("udp-front")).as("changed in place, not re-bound").isEqualTo(at);
            await().atMost(Duration.ofSeconds(10)).until(() -> fromB.get() >= 20);
            running.set(false);
            traffic.get();
            UdpListenerStats stats = (UdpListenerStats) gateway.listenerStats().get(0);
            assertThat(stats.sessionsEnded()).as("the session of the removed endpoint ended").isEqualTo(1);
            assertThat(stats.sessionsCreated()).isEqualTo(2);
            assertThat(stats.endpoints()).containsOnlyKeys(a.address(), b.address());
            assertThat(stats.drops().values()).allMatch(n -> n == 0);

            // a reload without the listener closes it
            String tcpOnly = YAML.formatted("\"" + b.address() + "\"").replace("protocol: udp, cluster: pool, idle_timeout: 200ms",
                    "protocol: tcp, cluster: pool");
            gateway.reload(GatewayAnetTest.parse(tcpOnly));
            assertThat(gateway.listeners()).noneMatch(l -> l instanceof dev.netkit.gateway.internal.udp.UdpProxyListener);
            drain(client); // late answers of the traffic above
            long before = b.received();
            byte[] out = "gone".getBytes(StandardCharsets.US_ASCII);
            client.send(new DatagramPacket(out, out.length, at));
            try {
                client.receive(new DatagramPacket(new byte[64], 64));
                throw new AssertionError("a removed udp listener still answered");
            } catch (SocketTimeoutException | java.net.PortUnreachableException expected) {
                assertThat(b.received()).isEqualTo(before);
            }
        }
    }

    private static void drain(DatagramSocket s) throws java.io.IOException {
        try {
            while (true) {
                s.receive(new DatagramPacket(new byte[64], 64));
            }
        } catch (SocketTimeoutException empty) {
            // nothing left
        }
    }
}
