package dev.netkit.gateway.internal.tcp;

import dev.netkit.core.ip.IpPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.balance.BalancerConfig;
import dev.netkit.core.balance.LoadBalancer;
import dev.netkit.core.balance.WeightedEndpoint;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.gateway.config.BindAddress;
import dev.netkit.gateway.config.LbPolicy;
import dev.netkit.gateway.config.ProxyProtocol;
import dev.netkit.gateway.config.TcpListenerConfig;
import dev.netkit.gateway.testing.TcpBackend;
import dev.netkit.netty.testing.ScheduledTasks;
import dev.netkit.netty.transport.IoGroup;
import dev.netkit.netty.transport.TransportKind;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How long a proxied connection's parts live: the upstream after the client left, and its idle timer. */
class TcpProxyLifetimeTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final IoGroup io = IoGroup.create(TransportKind.AUTO, 1, "test-tcp-lifetime");
    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private final ExecutorService threads = later(Executors.newVirtualThreadPerTaskExecutor());

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeLater.reversed()) {
            c.close();
        }
        io.close();
    }

    private <T extends AutoCloseable> T later(T c) {
        closeLater.add(c);
        return c;
    }

    private TcpProxyListener start(Duration idle, String endpoint) throws InterruptedException {
        LoadBalancer lb = later(LoadBalancer.builder(BalancerConfig.defaults())
                .endpoints(List.of(WeightedEndpoint.of(Endpoint.parse(endpoint))))
                .attach(w -> new InetSocketAddress(w.address().host(), w.address().port())).build());
        TcpRoute route = new TcpRoute("pool", lb, TcpRoute.Policy.BALANCED, null);
        TcpListenerConfig config = new TcpListenerConfig("tcp-front", new BindAddress("127.0.0.1", 0), "pool",
                LbPolicy.ROUND_ROBIN, Duration.ofMinutes(5), idle, Duration.ofSeconds(1), 10_000, ProxyProtocol.NONE,
                IpPolicy.allowAll());
        return later(new TcpProxyListener(config, route, io)).start();
    }

    /**
     * The upstream does not read; the client fills every buffer on the way, then resets. The
     * proxy's upstream side still has bytes it cannot write, so "flush, then close" never ends:
     * the idle timeout must still close it (the idle timer used to stop with the client).
     */
    @Test
    void anUpstreamThatDoesNotReadIsClosedByTheIdleTimeoutAfterTheClientLeft() throws Exception {
        try (ServerSocket backend = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return backend.accept();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            TcpProxyListener proxy = start(Duration.ofSeconds(2), "127.0.0.1:" + backend.getLocalPort());
            Socket upstream;
            AtomicLong written = new AtomicLong();
            try (Socket client = new Socket()) {
                client.connect(proxy.localAddress(), 5_000);
                upstream = later(accepted.get(5, TimeUnit.SECONDS)); // never read from
                CompletableFuture.runAsync(() -> {
                    try {
                        OutputStream out = client.getOutputStream();
                        byte[] chunk = new byte[65536];
                        while (true) {
                            out.write(chunk);
                            written.addAndGet(chunk.length);
                        }
                    } catch (IOException e) {
                        // closed below
                    }
                }, threads);
                // every buffer between the client and the backend is full
                await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> {
                    long before = written.get();
                    return before > 0 && proxy.stats().bytesFromClients() > 0 && written.get() == before;
                });
                client.setSoLinger(true, 0); // leaves with a reset: the proxy sees it at once, even with reading paused
            }
            await().atMost(WAIT).until(() -> proxy.stats().active() == 0);
            // The backend writes a byte every 50 ms: once the proxy has closed its side, a reset comes back.
            await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
                try {
                    upstream.getOutputStream().write('x');
                    return false;
                } catch (IOException e) {
                    return true; // reset by the proxy: its upstream side is closed
                }
            });
        }
    }

    /**
     * Each connection arms an idle timer. A closed connection must not leave it scheduled (holding
     * the connection, both channels and their pipelines) until the idle timeout: with the default
     * 5 min, short connections would pile up by the million.
     */
    @Test
    void aClosedConnectionLeavesNoIdleTimerBehind() throws Exception {
        try (TcpBackend backend = TcpBackend.echo()) {
            TcpProxyListener proxy = start(Duration.ofMinutes(5), backend.address());
            int before = ScheduledTasks.count(io.eventLoops());
            for (int i = 0; i < 100; i++) {
                try (Socket s = new Socket()) {
                    s.connect(proxy.localAddress(), 5_000);
                    s.setSoTimeout(5_000);
                    s.getOutputStream().write('a');
                    assertThat(s.getInputStream().read()).isEqualTo('a');
                }
            }
            await().atMost(WAIT).until(() -> proxy.stats().active() == 0);
            await().atMost(WAIT).until(() -> proxy.route().balancer().stats().endpoints().getFirst().outstanding() == 0);
            await().atMost(WAIT).untilAsserted(() -> assertThat(ScheduledTasks.count(io.eventLoops()) - before).isLessThan(10));
        }
    }
}
