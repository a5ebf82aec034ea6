package dev.netkit.gateway.internal.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.balance.BalancerConfig;
import dev.netkit.core.balance.LoadBalancer;
import dev.netkit.core.balance.Strategy;
import dev.netkit.core.balance.WeightedEndpoint;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.ip.IpPolicy;
import dev.netkit.gateway.UdpListenerStats;
import dev.netkit.gateway.config.BindAddress;
import dev.netkit.gateway.config.LbPolicy;
import dev.netkit.gateway.config.UdpHealthConfig;
import dev.netkit.gateway.config.UdpListenerConfig;
import dev.netkit.gateway.config.UdpSocketBuffers;
import dev.netkit.gateway.internal.tcp.TcpRoute;
import dev.netkit.gateway.testing.UdpBackend;
import dev.netkit.netty.transport.IoGroup;
import dev.netkit.netty.transport.TransportKind;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The UDP proxy on real loopback sockets: relaying, the session bound, expiry under traffic, ICMP errors, endpoints leaving service. */
class UdpProxyListenerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final IoGroup io = IoGroup.create(TransportKind.AUTO, 1, "test-udp-proxy");
    private final List<AutoCloseable> closeLater = new ArrayList<>();

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

    static UdpListenerConfig config(LbPolicy lb, Duration idle, int maxSessions) {
        return new UdpListenerConfig("udp-front", new BindAddress("127.0.0.1", 0), "pool", lb, idle, maxSessions, 2048,
                UdpHealthConfig.NONE, UdpSocketBuffers.DEFAULTS, IpPolicy.allowAll());
    }

    private TcpRoute route(Strategy strategy, TcpRoute.Policy policy, String... endpoints) {
        List<WeightedEndpoint> list = new ArrayList<>();
        for (String e : endpoints) {
            list.add(WeightedEndpoint.of(Endpoint.parse(e)));
        }
        LoadBalancer lb = later(LoadBalancer.builder(BalancerConfig.defaults().withStrategy(strategy)).endpoints(list)
                .attach(w -> new InetSocketAddress(w.address().host(), w.address().port())).build());
        return new TcpRoute("pool", lb, policy, null);
    }

    private UdpProxyListener start(UdpListenerConfig config, TcpRoute route) throws InterruptedException {
        return later(new UdpProxyListener(config, route, io)).start();
    }

    /** A client socket on loopback with a short receive timeout. */
    private DatagramSocket client() throws IOException {
        DatagramSocket s = later(new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)));
        s.setSoTimeout(300);
        return s;
    }

    private static void send(DatagramSocket s, InetSocketAddress to, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        s.send(new DatagramPacket(b, b.length, to));
    }

    /** The next datagram, or null after the socket's timeout; checks it came from {@code from}. */
    private static byte[] receive(DatagramSocket s, InetSocketAddress from) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
        try {
            s.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        assertThat(p.getSocketAddress()).as("replies leave from the listener's socket").isEqualTo(from);
        return Arrays.copyOf(p.getData(), p.getLength());
    }

    /** Sends {@code text} until an answer comes (UDP may lose a datagram), at most {@code tries} times. */
    private static byte[] exchange(DatagramSocket s, InetSocketAddress proxy, String text, int tries) throws IOException {
        for (int i = 0; i < tries; i++) {
            send(s, proxy, text);
            byte[] answer = receive(s, proxy);
            if (answer != null) {
                return answer;
            }
        }
        return null;
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.US_ASCII);
    }

    @Test
    void datagramsGoBothWaysOnOneSessionPerClientAndAreCounted() throws Exception {
        UdpBackend backend = later(UdpBackend.tagged('a'));
        UdpProxyListener proxy = start(config(LbPolicy.SOURCE_IP_HASH, Duration.ofMinutes(1), 100),
                route(Strategy.MAGLEV, TcpRoute.Policy.SOURCE_IP_HASH, backend.address()));
        DatagramSocket c = client();
        for (int i = 0; i < 5; i++) {
            assertThat(text(exchange(c, proxy.localAddress(), "ping" + i, 5))).isEqualTo("aping" + i);
        }
        UdpListenerStats stats = proxy.stats();
        assertThat(stats.sessionsCreated()).isEqualTo(1);
        assertThat(stats.sessionsActive()).isEqualTo(1);
        assertThat(stats.packetsToClients()).isEqualTo(stats.packetsFromClients()).isGreaterThanOrEqualTo(5);
        assertThat(stats.bytesToClients()).isEqualTo(stats.bytesFromClients() + stats.packetsFromClients());
        assertThat(stats.endpoints().get(backend.address()).sessions()).isEqualTo(1);
        assertThat(stats.drops().values()).allMatch(n -> n == 0);
        assertThat(proxy.route().balancer().state(Endpoint.parse(backend.address())).outstanding())
                .as("a session is outstanding on its endpoint while it lives").isEqualTo(1);
        proxy.close();
        assertThat(proxy.stats().sessionsActive()).isZero();
        assertThat(proxy.route().balancer().state(Endpoint.parse(backend.address())).outstanding()).isZero();
    }

    /**
     * Regression (issue 13 benchmark): a new client's first burst is read in one wake-up (up to 4
     * recvmmsg calls) before its upstream socket is connected; the datagrams held meanwhile were
     * bounded at 64, so the rest of a burst was dropped (queue_full) although nothing was overloaded.
     */
    @Test
    void aNewClientsBurstReadInOneWakeUpIsRelayedWhole() throws Exception {
        UdpBackend backend = later(UdpBackend.tagged('a'));
        UdpProxyListener proxy = start(config(LbPolicy.SOURCE_IP_HASH, Duration.ofMinutes(1), 100),
                route(Strategy.MAGLEV, TcpRoute.Policy.SOURCE_IP_HASH, backend.address()));
        DatagramSocket c = client();
        c.setReceiveBufferSize(4 << 20); // the replies come as fast as the requests: room for all of them
        int burst = 300;
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        io.eventLoops().next().execute(() -> { // the listener's only loop: the burst waits in the socket
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < burst; i++) {
            send(c, proxy.localAddress(), "m" + i);
        }
        release.countDown();
        Set<String> answers = new HashSet<>();
        c.setSoTimeout(2000);
        for (byte[] b; answers.size() < burst && (b = receive(c, proxy.localAddress())) != null; ) {
            answers.add(text(b));
        }
        UdpListenerStats stats = proxy.stats();
        assertThat(stats.drops()).as("nothing is dropped: %s", stats).allSatisfy((reason, n) -> assertThat(n).as(reason).isZero());
        assertThat(stats.packetsToUpstreams()).isEqualTo(burst);
        assertThat(answers).hasSize(burst).contains("am0", "am" + (burst - 1));
    }

    @Test
    void atTheSessionBoundNewClientsAreDroppedAndCountedWhileExistingOnesGoOn() throws Exception {
        UdpBackend backend = later(UdpBackend.tagged('a'));
        UdpProxyListener proxy = start(config(LbPolicy.ROUND_ROBIN, Duration.ofMinutes(1), 2),
                route(Strategy.ROUND_ROBIN, TcpRoute.Policy.BALANCED, backend.address()));
        InetSocketAddress at = proxy.localAddress();
        DatagramSocket first = client();
        DatagramSocket second = client();
        assertThat(text(exchange(first, at, "1", 5))).isEqualTo("a1");
        assertThat(text(exchange(second, at, "2", 5))).isEqualTo("a2");
        DatagramSocket third = client();
        for (int i = 0; i < 3; i++) {
            send(third, at, "3");
            assertThat(receive(third, at)).as("a client beyond max_sessions gets nothing").isNull();
        }
        await().atMost(WAIT).until(() -> proxy.stats().dropped("max_sessions") == 3);
        assertThat(text(exchange(first, at, "1b", 5))).isEqualTo("a1b");
        assertThat(text(exchange(second, at, "2b", 5))).isEqualTo("a2b");
        UdpListenerStats stats = proxy.stats();
        assertThat(stats.sessionsActive()).isEqualTo(2);
        assertThat(stats.sessionsCreated()).isEqualTo(2);
        assertThat(backend.received()).as("nothing of the third client reached the endpoint").isEqualTo(stats.packetsToUpstreams());
    }

    @Test
    void aDatagramArrivingAsItsSessionExpiresGoesOutOnTheOldOrANewSessionNeverLost() throws Exception {
        UdpBackend backend = later(UdpBackend.tagged('a'));
        Duration idle = Duration.ofMillis(40); // sweep every 10 ms: expiries land between the client's datagrams
        UdpProxyListener proxy = start(config(LbPolicy.ROUND_ROBIN, idle, 100),
                route(Strategy.ROUND_ROBIN, TcpRoute.Policy.BALANCED, backend.address()));
        InetSocketAddress at = proxy.localAddress();
        DatagramSocket c = client();
        long seed = System.nanoTime();
        System.out.println("expiry test seed " + seed);
        java.util.Random random = new java.util.Random(seed);
        int n = 40;
        for (int i = 0; i < n; i++) {
            send(c, at, "x" + i);
            assertThat(text(receive(c, at))).as("datagram %d (seed %d)", i, seed).isEqualTo("ax" + i);
            if (i % 4 == 0 || random.nextInt(3) == 0) {
                // the next datagram goes out as soon as the sweep has ended the session (polled every
                // millisecond): on a new session right at the expiry; the others, at once, on the old one
                await().atMost(WAIT).pollInterval(Duration.ofMillis(1)).until(() -> proxy.stats().sessionsActive() == 0);
            }
        }
        await().atMost(WAIT).until(() -> proxy.stats().sessionsActive() == 0);
        UdpListenerStats stats = proxy.stats();
        assertThat(stats.packetsToUpstreams()).isEqualTo(n);
        assertThat(stats.packetsToClients()).isEqualTo(n);
        assertThat(stats.sessionsExpired()).as("sessions expired between datagrams").isGreaterThan(1);
        assertThat(stats.sessionsCreated()).isEqualTo(stats.sessionsExpired());
        assertThat(stats.drops().values()).allMatch(d -> d == 0);
    }

    @Test
    void anIcmpPortUnreachableEndsTheSessionIsCountedAndTheListenerGoesOn() throws Exception {
        UdpBackend live = later(UdpBackend.tagged('L'));
        String dead = "127.0.0.1:" + deadUdpPort();
        UdpProxyListener proxy = start(config(LbPolicy.ROUND_ROBIN, Duration.ofMinutes(1), 100),
                route(Strategy.ROUND_ROBIN, TcpRoute.Policy.BALANCED, dead, live.address()));
        InetSocketAddress at = proxy.localAddress();
        for (int k = 0; k < 4; k++) {
            DatagramSocket c = client();
            assertThat(text(exchange(c, at, "hi" + k, 10))).as("client %d is served in the end", k).isEqualTo("Lhi" + k);
        }
        await().atMost(WAIT).until(() -> proxy.stats().dropped("upstream_unreachable") >= 1);
        UdpListenerStats stats = proxy.stats();
        assertThat(stats.sessionsEnded()).isEqualTo(stats.dropped("upstream_unreachable"));
        assertThat(stats.sessionsActive()).as("only the live endpoint's sessions remain").isEqualTo(4);
        assertThat(proxy.route().balancer().state(Endpoint.parse(dead)).failures()).isPositive();
    }

    @Test
    void anEndpointOutOfServiceGetsNoNewSessionsAndItsClientsMoveOnTheirNextDatagram() throws Exception {
        UdpBackend a = later(UdpBackend.tagged('a'));
        UdpBackend b = later(UdpBackend.tagged('b'));
        UdpProxyListener proxy = start(config(LbPolicy.ROUND_ROBIN, Duration.ofMillis(400), 100),
                route(Strategy.ROUND_ROBIN, TcpRoute.Policy.BALANCED, a.address(), b.address()));
        InetSocketAddress at = proxy.localAddress();
        List<DatagramSocket> onA = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            DatagramSocket c = client();
            if (exchange(c, at, "x", 5)[0] == 'a') {
                onA.add(c);
            }
        }
        assertThat(onA).as("round robin gave a some of 4 clients").isNotEmpty();
        proxy.route().balancer().drain(Endpoint.parse(a.address()));
        for (int k = 0; k < 4; k++) {
            assertThat(exchange(client(), at, "new", 5)[0]).as("a new session avoids the drained endpoint").isEqualTo((byte) 'b');
        }
        DatagramSocket moved = onA.get(0);
        await().atMost(WAIT).untilAsserted(() -> assertThat(exchange(moved, at, "again", 5)[0]).isEqualTo((byte) 'b'));
        assertThat(proxy.stats().sessionsEnded()).isGreaterThanOrEqualTo(1);
    }

    private static int deadUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return s.getLocalPort();
        }
    }
}
