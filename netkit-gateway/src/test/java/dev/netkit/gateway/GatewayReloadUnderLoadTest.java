package dev.netkit.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.gateway.config.GatewayConfig;
import dev.netkit.gateway.AnetListenerStats;
import dev.netkit.gateway.TcpListenerStats;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerConfig;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.testing.TestServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Reloads while requests flow: routes and endpoints swap, and one cluster is replaced (its
 * balancing changes, so a new broker takes over and the old one drains), back and forth 40 times under
 * pipelined load from 8 client connections. Not one request may fail, and no client may lose its
 * connection (the listeners are never re-bound).
 */
class GatewayReloadUnderLoadTest {
    private static final String YAML = """
            listeners:
              - name: front
                bind: 127.0.0.1:0
                protocol: anet
                routes:
                  - match: { offset: 0, text: "k" }
                    cluster: %s
                  - cluster: %s
              - name: l4
                bind: 127.0.0.1:0
                protocol: tcp
                cluster: %s
            clusters:
              - name: one
                endpoints: [ %s ]
                lb: %s
              - name: two
                endpoints: [ %s ]
            """;

    @Test
    void aReloadStormUnderLoadFailsNoRequestAndDropsNoConnection() throws Exception {
        List<FrameServer> backends = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                backends.add(TestServers.echo());
            }
            String b0 = "\"127.0.0.1:" + backends.get(0).localAddress().getPort() + "\"";
            String b1 = "\"127.0.0.1:" + backends.get(1).localAddress().getPort() + "\"";
            String b2 = "\"127.0.0.1:" + backends.get(2).localAddress().getPort() + "\"";
            GatewayConfig a = GatewayAnetTest.parse(YAML.formatted("one", "two", "one", b0 + ", " + b1, "round-robin", b2));
            GatewayConfig b = GatewayAnetTest.parse(YAML.formatted("two", "one", "two", b1, "least-outstanding", b2 + ", " + b0));
            try (Gateway gateway = Gateway.start(a)) {
                int port = gateway.address("front").getPort();
                List<Broker> clients = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    clients.add(Broker.create(BrokerConfig.builder().endpoints("127.0.0.1:" + port)
                            .requestTimeout(Duration.ofSeconds(5)).build()));
                }
                AtomicLong ok = new AtomicLong();
                AtomicLong failed = new AtomicLong();
                Semaphore window = new Semaphore(8 * 16);
                CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 40_000; i++) {
                        window.acquireUninterruptibly();
                        byte[] payload = ((i % 2 == 0 ? "k" : "x") + i).getBytes();
                        clients.get(i % clients.size()).send(payload).whenComplete((r, e) -> {
                            if (e == null && java.util.Arrays.equals(r, payload)) {
                                ok.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                            }
                            window.release();
                        });
                    }
                }, command -> Thread.ofPlatform().start(command));
                int reloads = 0;
                while (!load.isDone() && reloads < 40) {
                    gateway.reload(reloads % 2 == 0 ? b : a);
                    reloads++;
                }
                load.get(60, TimeUnit.SECONDS);
                window.acquire(8 * 16); // every request completed
                assertThat(reloads).as("reloads happened while the load ran").isGreaterThan(5);
                assertThat(failed.get()).as("failed requests").isZero();
                assertThat(ok.get()).isEqualTo(40_000);
                AnetListenerStats front = (AnetListenerStats) gateway.listenerStats().get(0);
                assertThat(front.server().connectionsAccepted()).as("no client reconnected").isEqualTo(8);
                assertThat(front.answered()).isEqualTo(40_000);
                assertThat(((TcpListenerStats) gateway.listenerStats().get(1)).name()).isEqualTo("l4");
                clients.forEach(Broker::close);
            }
        } finally {
            backends.forEach(FrameServer::stop);
        }
    }
}
