package dev.netkit.gateway.config;

import dev.netkit.core.ip.IpPolicy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.balance.BalancerConfig;
import dev.netkit.core.balance.OutlierConfig;
import dev.netkit.core.balance.Strategy;
import dev.netkit.core.balance.WeightedEndpoint;
import dev.netkit.core.breaker.BreakerConfig;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.health.HealthCheckConfig;
import dev.netkit.core.retry.RetryPolicy;
import dev.netkit.netty.client.BrokerConfig;
import dev.netkit.netty.server.FrameServerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GatewayConfigParserTest {
    static final String MINIMAL = """
            listeners:
              - name: front
                bind: 127.0.0.1:7100
                protocol: anet
                cluster: backends
            clusters:
              - name: backends
                endpoints: [ "127.0.0.1:7001" ]
            """;

    static GatewayConfig parse(String yaml) {
        return new GatewayConfigParser().parse(yaml, "gateway.yaml");
    }

    static Path sketch() throws Exception {
        return Path.of(GatewayConfigParserTest.class.getResource("/gateway-sketch.yaml").toURI());
    }

    @Test
    void theIssueSketchParsesWithItsValues() throws Exception {
        GatewayConfig config = GatewayConfig.load(sketch());

        assertThat(config.listeners()).extracting(ListenerConfig::name).containsExactly("hsm-front", "tcp-front");
        AnetListenerConfig hsm = (AnetListenerConfig) config.listeners().get(0);
        assertThat(hsm.bind()).isEqualTo(new BindAddress("127.0.0.1", 7100));
        assertThat(hsm.protocol()).isEqualTo(Protocol.ANET);
        assertThat(hsm.routes()).containsExactly(
                new RouteConfig(Optional.of(new PayloadMatch(0, Payload.of(new byte[] {(byte) 0xA0}))), "hsm-fast"),
                RouteConfig.catchAll("hsm-all"));
        assertThat(hsm.hashKey()).contains(new HashKeyConfig(2, 8));
        assertThat(hsm.onFailure()).isEqualTo(OnFailure.DROP);
        assertThat(hsm.route(new byte[] {(byte) 0xA0, 1})).map(RouteConfig::cluster).contains("hsm-fast");
        assertThat(hsm.route(new byte[] {1, (byte) 0xA0})).map(RouteConfig::cluster).contains("hsm-all");

        TcpListenerConfig tcp = (TcpListenerConfig) config.listeners().get(1);
        assertThat(tcp.bind()).isEqualTo(new BindAddress("127.0.0.1", 7200));
        assertThat(tcp.cluster()).isEqualTo("tcp-pool");
        assertThat(tcp.lb()).isEqualTo(LbPolicy.SOURCE_IP_HASH);
        assertThat(tcp.proxyProtocol()).isEqualTo(ProxyProtocol.NONE);
        assertThat(tcp.connectTimeout()).as("the cluster's connect timeout").isEqualTo(Duration.ofSeconds(3));

        ClusterConfig all = config.cluster("hsm-all").orElseThrow();
        assertThat(all.endpoints()).containsExactly(
                WeightedEndpoint.of(new Endpoint("127.0.0.1", 7001)),
                new WeightedEndpoint(new Endpoint("127.0.0.1", 7002), 3, "zone-b", Map.of()));
        assertThat(all.lb()).isEqualTo(LbPolicy.LEAST_OUTSTANDING);
        assertThat(all.health().enabled()).isTrue();
        assertThat(all.health().check().interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(all.health().probe()).isEqualTo(Payload.ofText("ping"));
        assertThat(all.balancer().outlier()).isEqualTo(OutlierConfig.defaults().withConsecutiveFailures(3));
        assertThat(all.balancer().breaker()).isEqualTo(BreakerConfig.builder().failureRateThreshold(0.6).build());
        assertThat(all.retry()).isEqualTo(RetryPolicy.defaults().toBuilder().maxAttempts(3).build());
        assertThat(all.requestTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(all.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(all.pool().maxTotal()).isEqualTo(2);
        assertThat(all.pool().maxLeasesPerConnection()).isEqualTo(256);
        assertThat(config.clusters()).extracting(ClusterConfig::name).containsExactly("hsm-all", "hsm-fast", "tcp-pool");
        assertThat(config.admin().bind()).isEqualTo(new BindAddress("127.0.0.1", 9901));
    }

    @Test
    void everyKeyLeftOutTakesTheLibrarysDefault() {
        GatewayConfig config = parse(MINIMAL);
        ClusterConfig c = config.clusters().get(0);
        BrokerConfig brokerDefaults = BrokerConfig.builder().endpoints("127.0.0.1:7001").build();

        assertThat(c.balancer()).isEqualTo(BalancerConfig.defaults());
        assertThat(c.retry()).isEqualTo(RetryPolicy.defaults());
        assertThat(c.pool()).isEqualTo(BrokerConfig.defaultPool());
        assertThat(c.requestTimeout()).isEqualTo(brokerDefaults.requestTimeout());
        assertThat(c.closeTimeout()).isEqualTo(brokerDefaults.closeTimeout());
        assertThat(c.tcpNoDelay()).isEqualTo(brokerDefaults.tcpNoDelay());
        assertThat(c.validationProbe().isEmpty()).isTrue();
        assertThat(c.health()).as("health checks on by default, TCP connect").isEqualTo(
                new HealthConfig(true, HealthCheckConfig.defaults(), Payload.EMPTY));

        AnetListenerConfig l = (AnetListenerConfig) config.listeners().get(0);
        assertThat(l.routes()).containsExactly(RouteConfig.catchAll("backends"));
        assertThat(l.hashKey()).isEmpty();
        assertThat(l.onFailure()).isEqualTo(OnFailure.DROP);
        assertThat(l.limits()).isEqualTo(ServerLimits.defaults());
        assertThat(l.limits().frameServerConfig(l.bind()))
                .isEqualTo(FrameServerConfig.defaults().toBuilder().host("127.0.0.1").port(7100).build());
        assertThat(l.limits().maxInFlight()).isEqualTo(ServerLimits.DEFAULT_MAX_IN_FLIGHT);
        assertThat(config.admin()).isEqualTo(AdminConfig.defaults());
    }

    @Test
    void aUdpListenerDefaultsToSourceIpHashWithoutActiveChecksAndTakesItsKeys() {
        String yaml = """
                listeners:
                  - { name: a, bind: "127.0.0.1:7300", protocol: udp, cluster: c }
                  - { name: b, bind: "127.0.0.1:7301", protocol: udp, cluster: c, lb: least-outstanding, idle_timeout: 30s,
                      max_sessions: 50, max_datagram_size: 1472, health: { probe: "ping", expect_hex: "706f6e67" },
                      socket_buffers: { receive: 1048576, upstream_send: 65536 },
                      ip_policy: { deny: [ 10.0.0.0/8 ], max_connections_per_ip: 4 } }
                clusters:
                  - { name: c, endpoints: ["127.0.0.1:1"], lb: round-robin }
                """;
        GatewayConfig config = parse(yaml);
        assertThat(config.listeners().get(0)).isEqualTo(new UdpListenerConfig("a", new BindAddress("127.0.0.1", 7300), "c",
                LbPolicy.SOURCE_IP_HASH, Duration.ofSeconds(60), 10_000, 2048, UdpHealthConfig.NONE, UdpSocketBuffers.DEFAULTS, IpPolicy.allowAll()));
        UdpListenerConfig b = (UdpListenerConfig) config.listeners().get(1);
        assertThat(b.lb()).isEqualTo(LbPolicy.LEAST_OUTSTANDING);
        assertThat(b.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(b.maxSessions()).isEqualTo(50);
        assertThat(b.maxDatagramSize()).isEqualTo(1472);
        assertThat(b.health()).isEqualTo(new UdpHealthConfig(Payload.ofText("ping"), Payload.ofText("pong")));
        assertThat(b.ipPolicy().maxConnectionsPerIp()).isEqualTo(4);
        assertThat(b.socketBuffers()).isEqualTo(new UdpSocketBuffers(1 << 20, 0, UdpSocketBuffers.DEFAULT_UPSTREAM_RECEIVE, 65_536));
        assertThat(parse(config.toYaml())).as("the effective config parses back to an equal one").isEqualTo(config);
        assertThat(config.toYaml()).contains("protocol: udp").contains("max_sessions: 50").contains("expect: pong");
    }

    @Test
    void aTcpListenerTakesItsClustersPolicyAndConnectTimeoutUnlessItSetsItsOwn() {
        String yaml = """
                listeners:
                  - { name: a, bind: "127.0.0.1:7200", protocol: tcp, cluster: c }
                  - { name: b, bind: "127.0.0.1:7201", protocol: tcp, cluster: c, lb: sticky, sticky_ttl: 90s,
                      connect_timeout: 250ms, idle_timeout: 1m, max_connections: 10, proxy_protocol: v2 }
                clusters:
                  - { name: c, endpoints: ["127.0.0.1:1"], lb: maglev, timeouts: { connect: 2s } }
                """;
        GatewayConfig config = parse(yaml);
        assertThat(config.listeners().get(0)).isEqualTo(new TcpListenerConfig("a", new BindAddress("127.0.0.1", 7200), "c",
                LbPolicy.MAGLEV, Duration.ofMinutes(30), Duration.ofMinutes(5), Duration.ofSeconds(2), 10_000, ProxyProtocol.NONE,
                IpPolicy.allowAll()));
        assertThat(config.listeners().get(1)).isEqualTo(new TcpListenerConfig("b", new BindAddress("127.0.0.1", 7201), "c",
                LbPolicy.STICKY, Duration.ofSeconds(90), Duration.ofMinutes(1), Duration.ofMillis(250), 10, ProxyProtocol.V2, IpPolicy.allowAll()));
    }

    @Test
    void theBrokerConfigCarriesEveryClusterOption() {
        String yaml = """
                listeners: [ { name: f, bind: "127.0.0.1:7100", protocol: anet, cluster: c } ]
                clusters:
                  - name: c
                    endpoints: [ "127.0.0.1:7001=2@a", "127.0.0.1:7002@b" ]
                    lb: ring-hash
                    local_zone: a
                    health: { interval: 500ms, probe_hex: "70 69 6E 67" }
                    retry: { max_attempts: 1 }
                    timeouts: { request: 750ms, connect: 100ms, close: 1s }
                    upstream: { connections: 4, min_connections: 2, max_in_flight: 64, max_pending: 10,
                                validation_probe: "v", tcp_no_delay: false }
                """;
        BrokerConfig b = parse(yaml).clusters().get(0).brokerConfig();
        assertThat(b.endpoints()).extracting(WeightedEndpoint::weight, WeightedEndpoint::zone)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(2, "a"), org.assertj.core.groups.Tuple.tuple(1, "b"));
        assertThat(b.balancer()).isEqualTo(BalancerConfig.defaults().withStrategy(Strategy.RING_HASH).withLocalZone("a"));
        assertThat(b.healthCheck()).isEqualTo(HealthCheckConfig.defaults().toBuilder().interval(Duration.ofMillis(500)).build());
        assertThat(b.healthCheckPayload()).isEqualTo("ping".getBytes(StandardCharsets.UTF_8));
        assertThat(b.retry()).isEqualTo(RetryPolicy.none());
        assertThat(b.requestTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(b.connectTimeout()).isEqualTo(Duration.ofMillis(100));
        assertThat(b.closeTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(b.pool().maxTotal()).isEqualTo(4);
        assertThat(b.pool().minIdle()).isEqualTo(2);
        assertThat(b.maxInFlightPerConnection()).isEqualTo(64);
        assertThat(b.pool().maxPending()).isEqualTo(10);
        assertThat(b.validationPayload()).isEqualTo(new byte[] {'v'});
        assertThat(b.tcpNoDelay()).isFalse();
    }

    @Test
    void disabledHealthChecksGiveABrokerWithout() {
        String yaml = MINIMAL.replace("endpoints: [ \"127.0.0.1:7001\" ]",
                "endpoints: [ \"127.0.0.1:7001\" ]\n    health: { enabled: false }");
        assertThat(parse(yaml).clusters().get(0).brokerConfig().healthCheck()).isNull();
    }

    @Test
    void routesMatchTextOrHexAtAnOffset() {
        String yaml = """
                listeners:
                  - name: f
                    bind: 127.0.0.1:7100
                    protocol: anet
                    routes:
                      - { match: { offset: 4, text: "GET" }, cluster: c }
                      - { match: { prefix: "ff 00" }, cluster: c }
                clusters: [ { name: c, endpoints: ["127.0.0.1:1"] } ]
                """;
        AnetListenerConfig l = (AnetListenerConfig) parse(yaml).listeners().get(0);
        assertThat(l.routes()).extracting(r -> r.match().orElseThrow()).containsExactly(
                new PayloadMatch(4, Payload.ofText("GET")), new PayloadMatch(0, Payload.of(HexFormat.of().parseHex("ff00"))));
        assertThat(l.route("....GET /".getBytes(StandardCharsets.UTF_8))).isPresent();
        assertThat(l.route("GET".getBytes(StandardCharsets.UTF_8))).as("no catch-all: nothing matches").isEmpty();
    }

    @Test
    void yaml12KeepsNoAndOffAsStrings() {
        String yaml = """
                listeners: [ { name: no, bind: "127.0.0.1:7100", protocol: anet, cluster: off } ]
                clusters: [ { name: off, endpoints: ["127.0.0.1:1"], local_zone: yes } ]
                """;
        GatewayConfig config = parse(yaml);
        assertThat(config.listeners().get(0).name()).isEqualTo("no");
        assertThat(config.clusters().get(0).name()).isEqualTo("off");
        assertThat(config.clusters().get(0).balancer().localZone()).isEqualTo("yes");
    }

    @Test
    void listenersMayComeBeforeOrAfterClusters() {
        String reordered = """
                clusters:
                  - name: backends
                    endpoints: [ "127.0.0.1:7001" ]
                listeners:
                  - name: front
                    bind: 127.0.0.1:7100
                    protocol: anet
                    cluster: backends
                """;
        assertThat(parse(reordered)).isEqualTo(parse(MINIMAL));
    }

    @Test
    void portZeroMayRepeat() {
        String yaml = """
                listeners:
                  - { name: a, bind: "127.0.0.1:0", protocol: anet, cluster: c }
                  - { name: b, bind: "127.0.0.1:0", protocol: tcp, cluster: c }
                clusters: [ { name: c, endpoints: ["127.0.0.1:1"] } ]
                admin: { bind: "[::1]:0" }
                """;
        GatewayConfig config = parse(yaml);
        assertThat(config.listeners()).extracting(l -> l.bind().port()).containsExactly(0, 0);
        assertThat(config.admin().bind()).isEqualTo(new BindAddress("::1", 0));
        assertThat(List.of(config.admin().bind().toString())).containsExactly("[::1]:0");
    }
}
