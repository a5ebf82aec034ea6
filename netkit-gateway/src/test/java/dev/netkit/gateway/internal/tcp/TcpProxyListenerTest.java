package dev.netkit.gateway.internal.tcp;

import dev.netkit.core.ip.IpPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.balance.BalancerConfig;
import dev.netkit.core.balance.LoadBalancer;
import dev.netkit.core.balance.Strategy;
import dev.netkit.core.balance.WeightedEndpoint;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.gateway.TcpListenerStats;
import dev.netkit.gateway.config.BindAddress;
import dev.netkit.gateway.config.LbPolicy;
import dev.netkit.gateway.config.ProxyProtocol;
import dev.netkit.gateway.config.TcpListenerConfig;
import dev.netkit.gateway.testing.TcpBackend;
import dev.netkit.netty.testing.TestServers;
import dev.netkit.netty.transport.IoGroup;
import dev.netkit.netty.transport.TransportKind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The L4 proxy on real loopback sockets: relaying, failover on connect, half-close, affinity, PROXY v2, idleness, backpressure. */
class TcpProxyListenerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final IoGroup io = IoGroup.create(TransportKind.AUTO, 1, "test-tcp-proxy");
    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private final java.util.concurrent.ExecutorService threads = later(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());

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

    private static TcpListenerConfig config(LbPolicy lb, Duration idle, ProxyProtocol proxy) {
        return new TcpListenerConfig("tcp-front", new BindAddress("127.0.0.1", 0), "pool", lb, Duration.ofMinutes(5), idle,
                Duration.ofSeconds(1), 10_000, proxy, IpPolicy.allowAll());
    }

    private TcpRoute route(Strategy strategy, TcpRoute.Policy policy, String... endpoints) {
        List<WeightedEndpoint> list = new ArrayList<>();
        for (String e : endpoints) {
            list.add(WeightedEndpoint.of(Endpoint.parse(e)));
        }
        LoadBalancer lb = later(LoadBalancer.builder(BalancerConfig.defaults().withStrategy(strategy)).endpoints(list)
                .attach(w -> new InetSocketAddress(w.address().host(), w.address().port())).build());
        return new TcpRoute("pool", lb, policy,
                policy == TcpRoute.Policy.STICKY ? new StickyTable(TimeUnit.MINUTES.toNanos(5), 1_000) : null);
    }

    private TcpProxyListener start(TcpListenerConfig config, TcpRoute route) throws InterruptedException {
        return later(new TcpProxyListener(config, route, io)).start();
    }

    private static Socket connect(TcpProxyListener proxy) throws IOException {
        Socket s = new Socket();
        s.connect(proxy.localAddress(), 5_000);
        s.setSoTimeout(5_000);
        return s;
    }

    private static String greeting(Socket s) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = s.getInputStream().read()) != '\n') {
            if (c < 0) {
                throw new IOException("closed before the greeting");
            }
            b.append((char) c);
        }
        return b.toString();
    }

    @Test
    void bytesGoBothWaysAndAreCountedPerListenerAndEndpoint() throws Exception {
        TcpBackend backend = later(TcpBackend.greeting("b1"));
        TcpProxyListener proxy = start(config(LbPolicy.ROUND_ROBIN, Duration.ofMinutes(1), ProxyProtocol.NONE),
                route(Strategy.ROUND_ROBIN, TcpRoute.Policy.BALANCED, backend.address()));
        try (Socket s = connect(proxy)) {
            assertThat(greeting(s)).isEqualTo("b1");
            byte[] payload = "hello through the proxy".getBytes(StandardCharsets.US_ASCII);
            s.getOutputStream().write(payload);
            assertThat(s.getInputStream().readNBytes(payload.length)).isEqualTo(payload);
        }
        await().atMost(WAIT).until(() -> proxy.stats().active() == 0);
        TcpListenerStats stats = proxy.stats();
        assertThat(stats.accepted()).isEqualTo(1);
        assertThat(stats.bytesFromClients()).isEqualTo(23);
        assertThat(stats.bytesToClients()).isEqualTo(3 + 23);
        assertThat(stats.endpoints().get(backend.address())).isEqualTo(new TcpListenerStats.EndpointBytes(1, 23, 26));
        assertThat(proxy.route().balancer().state(Endpoint.parse(backend.address())).outstanding()).isZero();
    }

    @Test
    void aFailedConnectIsRetriedOnAnotherEndpointBeforeAnyByteIsSent() throws Exception {
        TcpBackend live = later(TcpBackend.greeting("live"));
        String dead = "127.0.0.1:" + TestServers.deadPort();
        TcpProxyListener proxy = start(config(LbPolicy.ROUND_ROBIN, Duration.ofMinutes(1), ProxyProtocol.NONE),
                route(Strategy.ROUND_ROBIN, TcpRoute.Policy.BALANCED, dead, live.address()));
        for (int i = 0; i < 4; i++) {
            try (Socket s = connect(proxy)) {
                s.getOutputStream().write("x".getBytes(StandardCharsets.US_ASCII)); // sent before the upstream exists
                assertThat(greeting(s)).isEqualTo("live");
                assertThat(s.getInputStream().read()).isEqualTo('x');
            }
        }
        assertThat(proxy.stats().connectFailures()).isPositive();
        assertThat(proxy.stats().connectRetries()).isEqualTo(proxy.stats().connectFailures());
        assertThat(proxy.stats().noUpstream()).isZero();
    }

    @Test
    void aClientIsNeverRetriedOnAnEndpointThatAlreadyFailedIt() throws Exception {
        TcpBackend live = later(TcpBackend.greeting("live"));
        List<WeightedEndpoint> list = List.of(WeightedEndpoint.of(Endpoint.parse("127.0.0.1:" + TestServers.deadPort())),
                WeightedEndpoint.of(Endpoint.parse("127.0.0.1:" + TestServers.deadPort())), WeightedEndpoint.of(Endpoint.parse(live.address())));
        LoadBalancer lb = later(LoadBalancer.builder(BalancerConfig.defaults().withStrategy(Strategy.WEIGHTED_RANDOM)
                        .withOutlier(dev.netkit.core.balance.OutlierConfig.disabled()).withBreaker(dev.netkit.core.breaker.BreakerConfig.disabled()))
                .endpoints(list).attach(w -> new InetSocketAddress(w.address().host(), w.address().port())).build());
        TcpProxyListener proxy = start(config(LbPolicy.RANDOM, Duration.ofMinutes(1), ProxyProtocol.NONE),
                new TcpRoute("pool", lb, TcpRoute.Policy.BALANCED, null));
        for (int i = 0; i < 30; i++) { // two dead of three: at most 3 attempts, never one twice, so each reaches "live"
            try (Socket s = connect(proxy)) {
                assertThat(greeting(s)).as("connection %d", i).isEqualTo("live");
            }
        }
        assertThat(proxy.stats().noUpstream()).isZero();
        await().atMost(WAIT).until(() -> proxy.stats().active() == 0);
        assertThat(lb.stats().endpoints()).allSatisfy(e -> assertThat(e.outstanding()).isZero());
    }

    @Test
    void withEveryEndpointDownTheClientIsClosedAtOnce() throws Exception {
        TcpProxyListener proxy = start(config(LbPolicy.ROUND_ROBIN, Duration.ofMinutes(1), ProxyProtocol.NONE),
                route(Strategy.ROUND_ROBIN, TcpRoute.Policy.BALANCED, "127.0.0.1:" + TestServers.deadPort(), "127.0.0.1:" + TestServers.deadPort()));
        try (Socket s = connect(proxy)) {
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(proxy.stats().noUpstream()).isEqualTo(1);
        assertThat(proxy.stats().connectFailures()).isEqualTo(2);
    }

    @Test
    void aHalfCloseIsPassedOnAndTheAnswerAfterItStillArrives() throws Exception {
        TcpBackend backend = later(TcpBackend.echo());
        TcpProxyListener proxy = start(config(LbPolicy.ROUND_ROBIN, Duration.ofMinutes(1), ProxyProtocol.NONE),
                route(Strategy.ROUND_ROBIN, TcpRoute.Policy.BALANCED, backend.address()));
        try (Socket s = connect(proxy)) {
            s.getOutputStream().write("last words".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput(); // the backend echoes what it got, then shuts its output after our FIN
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("last words");
        }
        await().atMost(WAIT).until(() -> proxy.stats().active() == 0);
    }

    @Test
    void sourceIpHashSendsEveryConnectionOfAClientToOneEndpoint() throws Exception {
        List<String> addresses = new ArrayList<>();
        for (String name : List.of("h1", "h2", "h3")) {
            addresses.add(later(TcpBackend.greeting(name)).address());
        }
        TcpProxyListener proxy = start(config(LbPolicy.SOURCE_IP_HASH, Duration.ofMinutes(1), ProxyProtocol.NONE),
                route(Strategy.MAGLEV, TcpRoute.Policy.SOURCE_IP_HASH, addresses.toArray(String[]::new)));
        Set<String> reached = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            try (Socket s = connect(proxy)) {
                reached.add(greeting(s));
            }
        }
        assertThat(reached).hasSize(1);
    }

    @Test
    void stickySessionsKeepAClientOnItsEndpointUntilItLeavesService() throws Exception {
        List<String> addresses = new ArrayList<>();
        for (String name : List.of("s1", "s2", "s3")) {
            addresses.add(later(TcpBackend.greeting(name)).address());
        }
        TcpRoute route = route(Strategy.ROUND_ROBIN, TcpRoute.Policy.STICKY, addresses.toArray(String[]::new));
        TcpProxyListener proxy = start(config(LbPolicy.STICKY, Duration.ofMinutes(1), ProxyProtocol.NONE), route);
        String first;
        try (Socket s = connect(proxy)) {
            first = greeting(s);
        }
        for (int i = 0; i < 5; i++) { // round robin alone would move on each time
            try (Socket s = connect(proxy)) {
                assertThat(greeting(s)).isEqualTo(first);
            }
        }
        String firstAddress = addresses.get(List.of("s1", "s2", "s3").indexOf(first));
        route.balancer().drain(Endpoint.parse(firstAddress));
        String moved;
        try (Socket s = connect(proxy)) {
            moved = greeting(s);
        }
        assertThat(moved).isNotEqualTo(first);
        try (Socket s = connect(proxy)) {
            assertThat(greeting(s)).as("sticks to its new endpoint").isEqualTo(moved);
        }
        assertThat(route.sticky().size()).isEqualTo(1);
    }

    @Test
    void aProxyV2HeaderTellsTheUpstreamWhoTheClientIs() throws Exception {
        TcpBackend backend = later(TcpBackend.expectingProxyHeader("pp"));
        TcpProxyListener proxy = start(config(LbPolicy.ROUND_ROBIN, Duration.ofMinutes(1), ProxyProtocol.V2),
                route(Strategy.ROUND_ROBIN, TcpRoute.Policy.BALANCED, backend.address()));
        try (Socket s = connect(proxy)) {
            assertThat(greeting(s)).isEqualTo("pp");
            byte[] h = backend.proxyHeaders().getFirst();
            assertThat(h).hasSize(28);
            assertThat(new String(h, 0, 12, StandardCharsets.ISO_8859_1)).isEqualTo("\r\n\r\n\0\r\nQUIT\n");
            ByteBuffer b = ByteBuffer.wrap(h);
            assertThat(b.get(12)).isEqualTo((byte) 0x21);
            assertThat(b.get(13)).isEqualTo((byte) 0x11);
            assertThat(b.getShort(14)).isEqualTo((short) 12);
            assertThat(new byte[] {h[16], h[17], h[18], h[19]}).isEqualTo(new byte[] {127, 0, 0, 1});
            assertThat(b.getShort(24) & 0xFFFF).as("source port").isEqualTo(s.getLocalPort());
            assertThat(b.getShort(26) & 0xFFFF).as("destination port").isEqualTo(proxy.localAddress().getPort());
        }
    }

    @Test
    void anIdleConnectionIsClosedOnBothSides() throws Exception {
        TcpBackend backend = later(TcpBackend.greeting("idle"));
        TcpProxyListener proxy = start(config(LbPolicy.ROUND_ROBIN, Duration.ofMillis(300), ProxyProtocol.NONE),
                route(Strategy.ROUND_ROBIN, TcpRoute.Policy.BALANCED, backend.address()));
        try (Socket s = connect(proxy)) {
            assertThat(greeting(s)).isEqualTo("idle");
            assertThat(s.getInputStream().read()).as("closed for idleness").isEqualTo(-1);
        }
        assertThat(proxy.stats().idleTimeouts()).isEqualTo(1);
    }

    /**
     * The backend stops reading; the client keeps writing. The proxy must stop reading the client
     * (its buffer stays bounded), and once the backend reads again every byte arrives.
     */
    @Test
    void anUpstreamThatStopsReadingPushesBackOnTheClient() throws Exception {
        TcpBackend backend = later(TcpBackend.echo());
        TcpProxyListener proxy = start(config(LbPolicy.ROUND_ROBIN, Duration.ofMinutes(1), ProxyProtocol.NONE),
                route(Strategy.ROUND_ROBIN, TcpRoute.Policy.BALANCED, backend.address()));
        int total = 64 << 20;
        try (Socket s = connect(proxy)) {
            backend.pauseReading();
            // Own threads: the common pool may have one thread here, and these two wait on each other.
            CompletableFuture<Long> echoed = CompletableFuture.supplyAsync(() -> drain(s, total), threads);
            CompletableFuture<Void> written = CompletableFuture.runAsync(() -> write(s, total), threads);
            await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> !written.isDone());
            long proxied = proxy.stats().bytesFromClients();
            assertThat(proxied).as("bytes the proxy took while the backend did not read").isLessThan(total / 2);
            backend.resumeReading();
            written.get(30, TimeUnit.SECONDS);
            assertThat(echoed.get(30, TimeUnit.SECONDS)).isEqualTo(total);
        }
    }

    private static void write(Socket s, int total) {
        try {
            byte[] chunk = new byte[65536];
            for (int sent = 0; sent < total; sent += chunk.length) {
                s.getOutputStream().write(chunk);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long drain(Socket s, long total) {
        try {
            byte[] buf = new byte[65536];
            long got = 0;
            s.setSoTimeout(30_000);
            while (got < total) {
                int n = s.getInputStream().read(buf);
                if (n < 0) {
                    break;
                }
                got += n;
            }
            return got;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
