package dev.netkit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.balance.BalancerListener;
import dev.netkit.core.balance.WeightedEndpoint;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerConfig;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.ScriptedPeer;
import dev.netkit.netty.testing.TestServers;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Meter values against known traffic on loopback. */
class BrokerMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private final PrometheusMeterRegistry registry = NetkitMetrics.prometheusRegistry();

    @AfterEach
    void closeRegistry() {
        registry.close();
    }

    @Test
    void knownTrafficIsCountedByServerBrokerPoolBalancerAndTimer() {
        int n = 200;
        try (FrameServer server = echoServer(TestServers.loopback().build());
             ServerMetrics serverMetrics = NetkitMetrics.bind(registry, server);
             BrokerMetrics metrics = BrokerMetrics.create(registry);
             Broker broker = Broker.create(config(server).build(), BalancerListener.NONE, metrics.observer())) {
            metrics.bind(broker);
            for (int i = 0; i < n; i++) {
                byte[] p = ("r" + i).getBytes(StandardCharsets.US_ASCII);
                assertThat(broker.call(p)).isEqualTo(p);
            }
            String endpoint = endpoint(server);
            long frameBytes = 0; // each frame: 2-byte length, 4-byte correlation id, the payload
            for (int i = 0; i < n; i++) {
                frameBytes += 6 + ("r" + i).length();
            }
            long bytes = frameBytes;
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(counter("netkit.server.received.bytes")).isEqualTo(bytes);
                assertThat(counter("netkit.server.sent.bytes")).isEqualTo(bytes); // an echo
                assertThat(counter("netkit.broker.sent.bytes")).isEqualTo(bytes);
                assertThat(counter("netkit.broker.received.bytes")).isEqualTo(bytes);
                assertThat(counter("netkit.server.requests")).isEqualTo(n);
                assertThat(counter("netkit.server.responses")).isEqualTo(n);
                assertThat(counter("netkit.server.connections.accepted")).isEqualTo(1);
                assertThat(gauge("netkit.server.connections")).isEqualTo(1);
                assertThat(counter("netkit.broker.requests.sent")).isEqualTo(n);
                assertThat(counter("netkit.broker.responses")).isEqualTo(n);
                assertThat(counter("netkit.broker.timeouts")).isZero();
                assertThat(gauge("netkit.broker.in.flight")).isZero();
                assertThat(gauge("netkit.broker.connections")).isEqualTo(1);
                assertThat(counter("netkit.pool.acquires", "endpoint", endpoint)).isEqualTo(n);
                assertThat(counter("netkit.pool.connections.opened", "endpoint", endpoint)).isEqualTo(1);
                assertThat(gauge("netkit.pool.connections", "endpoint", endpoint)).isEqualTo(1);
                assertThat(counter("netkit.balancer.endpoint.successes", "endpoint", endpoint)).isEqualTo(n);
                assertThat(counter("netkit.balancer.endpoint.picks", "endpoint", endpoint)).isEqualTo(n);
                assertThat(gauge("netkit.balancer.endpoint.status", "endpoint", endpoint, "status", "healthy")).isEqualTo(1);
                assertThat(gauge("netkit.balancer.endpoint.status", "endpoint", endpoint, "status", "ejected")).isZero();
            });
            var timer = registry.get("netkit.client.request").tags("endpoint", endpoint, "outcome", "success").timer();
            assertThat(timer.count()).isEqualTo(n);
            assertThat(timer.max(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
            assertThat(registry.find("netkit.client.request").tag("outcome", "timeout").timer()).as("no timeout, no timer").isNull();
        }
    }

    @Test
    void aConnectionTheServerClosesIsCountedAsPeerClosed() {
        try (FrameServer server = echoServer(TestServers.loopback().idleTimeout(Duration.ofMillis(200)).build());
             ServerMetrics serverMetrics = NetkitMetrics.bind(registry, server);
             Broker broker = Broker.create(config(server).build());
             BrokerMetrics metrics = NetkitMetrics.bind(registry, broker)) {
            assertThat(broker.call(new byte[] {1})).containsExactly(1);
            String endpoint = endpoint(server);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(counter("netkit.pool.connections.closed", "endpoint", endpoint, "reason", "peer_closed")).isEqualTo(1);
                assertThat(counter("netkit.pool.connections.closed", "endpoint", endpoint, "reason", "error")).isZero();
                assertThat(counter("netkit.server.timeouts", "type", "idle")).isEqualTo(1);
                assertThat(gauge("netkit.pool.connections", "endpoint", endpoint)).isZero();
            });
        }
    }

    @Test
    void aDeadEndpointIsEjectedOnceAndItsFailuresAreTimedByKind() throws Exception {
        int dead;
        try (ScriptedPeer gone = new ScriptedPeer()) {
            dead = gone.port();
        }
        String deadEndpoint = "127.0.0.1:" + dead;
        try (FrameServer live = echoServer(TestServers.loopback().build());
             BrokerMetrics metrics = BrokerMetrics.create(registry);
             Broker broker = Broker.create(BrokerConfig.builder().endpoints(deadEndpoint + "," + endpoint(live)).build(),
                     BalancerListener.NONE, metrics.observer())) {
            metrics.bind(broker);
            for (int i = 0; i < 500 && broker.balancerStats().ejections() == 0; i++) {
                assertThat(broker.call(new byte[] {7})).containsExactly(7); // failed attempts are retried on the live one
            }
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(counter("netkit.balancer.endpoint.ejections", "endpoint", deadEndpoint)).isEqualTo(1);
                assertThat(counter("netkit.balancer.endpoint.ejections", "endpoint", endpoint(live))).isZero();
                assertThat(counter("netkit.balancer.ejections")).isEqualTo(1);
                assertThat(gauge("netkit.balancer.endpoint.status", "endpoint", deadEndpoint, "status", "ejected")).isEqualTo(1);
                assertThat(gauge("netkit.balancer.endpoint.status", "endpoint", deadEndpoint, "status", "healthy")).isZero();
                assertThat(counter("netkit.broker.retries")).isPositive();
            });
            long failed = registry.get("netkit.client.request").tags("endpoint", deadEndpoint, "outcome", "connection_lost").timer().count();
            assertThat(failed).isPositive().isEqualTo((long) counter("netkit.broker.retries"));
        }
    }

    @Test
    void endpointsAddedAndRemovedAtRuntimeGetAndLoseTheirMetersOnThePeriodicRefresh() {
        try (FrameServer first = echoServer(TestServers.loopback().build());
             FrameServer second = echoServer(TestServers.loopback().build());
             BrokerMetrics metrics = BrokerMetrics.create(registry, Tags.of("broker", "test"), Duration.ofMillis(100));
             Broker broker = Broker.create(config(first).build(), BalancerListener.NONE, metrics.observer())) {
            metrics.bind(broker);
            String added = endpoint(second);
            assertThat(registry.find("netkit.pool.connections").tag("endpoint", added).gauge()).isNull();

            broker.addEndpoint(WeightedEndpoint.of(Endpoint.parse(added)));
            await().atMost(WAIT).until(() -> registry.find("netkit.pool.connections").tag("endpoint", added).gauge() != null
                    && registry.find("netkit.balancer.endpoint.picks").tag("endpoint", added).functionCounter() != null);
            for (int i = 0; i < 20; i++) {
                broker.call(new byte[] {1});
            }
            assertThat(registry.find("netkit.client.request").tag("endpoint", added).timer()).isNotNull();
            assertThat(registry.get("netkit.pool.connections").tag("broker", "test").gauges()).hasSize(2);

            assertThat(broker.removeEndpoint(Endpoint.parse(added))).isTrue();
            await().atMost(WAIT).until(() -> registry.getMeters().stream()
                    .noneMatch(m -> added.equals(m.getId().getTag("endpoint"))));
            assertThat(registry.find("netkit.pool.connections").tag("endpoint", endpoint(first)).gauge()).isNotNull();
        }
    }

    @Test
    void closingTheBindingsRemovesEveryMeter() {
        try (FrameServer server = echoServer(TestServers.loopback().build());
             Broker broker = Broker.create(config(server).build(), BalancerListener.NONE, null)) {
            ServerMetrics serverMetrics = NetkitMetrics.bind(registry, server);
            BrokerMetrics metrics = NetkitMetrics.bind(registry, broker);
            broker.call(new byte[] {1});
            assertThat(registry.getMeters()).hasSizeGreaterThan(50);
            metrics.close();
            serverMetrics.close();
            metrics.close(); // idempotent
            assertThat(registry.getMeters()).isEmpty();
            metrics.refresh(); // after close: nothing comes back
            assertThat(registry.getMeters()).isEmpty();
        }
    }

    private static FrameServer echoServer(dev.netkit.netty.server.FrameServerConfig config) {
        return FrameServer.builder().config(config).handler(RequestHandler.echo()).start();
    }

    private static BrokerConfig.Builder config(FrameServer server) {
        return BrokerConfig.builder().endpoints(endpoint(server));
    }

    private static String endpoint(FrameServer server) {
        return "127.0.0.1:" + server.localAddress().getPort();
    }

    private double counter(String name, String... tags) {
        return search(registry, name, tags).functionCounter().count();
    }

    private double gauge(String name, String... tags) {
        return search(registry, name, tags).gauge().value();
    }

    private static RequiredSearch search(MeterRegistry registry, String name, String... tags) {
        return registry.get(name).tags(tags);
    }
}
