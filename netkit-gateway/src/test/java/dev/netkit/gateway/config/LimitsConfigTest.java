package dev.netkit.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.netkit.core.qos.QosClass;
import dev.netkit.core.qos.QosPolicy;
import dev.netkit.netty.fleet.FleetConfig;
import dev.netkit.netty.server.ServerLimits;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** rate_limits (listener), rate_limit and qos_class (route), qos (cluster): parsed, printed, and refused with the key and range. */
class LimitsConfigTest {
    static final String FILE = """
            listeners:
              - name: front
                bind: 127.0.0.1:7100
                protocol: anet
                routes:
                  - match: { prefix: "A0" }
                    cluster: hsm
                    qos_class: gold
                    rate_limit: { per_second: 1000, burst: 100 }
                  - match: { prefix: "B0" }
                    cluster: hsm
                    rate_limit:
                      per_second: 5000
                      fleet: { redis: "127.0.0.1:6379", key: "netkit:hsm:b0", members: 3, timeout: 20ms, batch: 25 }
                  - cluster: hsm
                rate_limits:
                  requests: { per_second: 50000, burst: 5000 }
                  bytes_per_connection: { per_second: 10485760, burst: 1048576 }
                  requests_per_connection: { per_second: 1000 }
                  requests_per_client: { per_second: 3000, burst: 300 }
                  bytes_per_client: { per_second: 20971520 }
            clusters:
              - name: hsm
                endpoints: [ "127.0.0.1:7001" ]
                upstream: { max_pending: 500 }
                qos:
                  classes:
                    - { name: control, capacity: 10 }
                    - { name: gold, weight: 6 }
                    - { name: bronze, weight: 1, capacity: 1000 }
                  default_class: bronze
                  strict_class: control
                  starvation_bound: 4
            """;

    private static GatewayConfig parse(String yaml) {
        return new GatewayConfigParser().parse(yaml, "gateway.yaml");
    }

    @Test
    void everyLimitAndClassIsReadPrintedAndReadBackEqual() {
        GatewayConfig config = parse(FILE);
        AnetListenerConfig front = (AnetListenerConfig) config.listener("front").orElseThrow();
        assertThat(front.rateLimits()).isEqualTo(ServerLimits.none().withRequests(50_000, 5_000)
                .withBytesPerConnection(10_485_760, 1_048_576).withRequestsPerConnection(1_000, 1_000)
                .withRequestsPerClient(3_000, 300).withBytesPerClient(20_971_520, 20_971_520));
        RouteConfig gold = front.routes().get(0);
        assertThat(gold.qosClass()).contains("gold");
        assertThat(gold.rateLimit()).contains(new RouteRateLimit(1_000, 100, Optional.empty()));
        assertThat(front.routes().get(1).rateLimit()).contains(new RouteRateLimit(5_000, 5_000,
                Optional.of(new FleetConfig("127.0.0.1", 6379, "netkit:hsm:b0", 3, Duration.ofMillis(20), 25))));
        assertThat(front.routes().get(2).rateLimit()).isEmpty();
        QosPolicy qos = config.cluster("hsm").orElseThrow().qos().orElseThrow();
        assertThat(qos).isEqualTo(new QosPolicy(List.of(new QosClass("control", 1, 10), new QosClass("gold", 6, 500),
                new QosClass("bronze", 1, 1000)), "bronze", "control", 4));
        assertThat(config.cluster("hsm").orElseThrow().brokerConfig().qos()).isEqualTo(qos);

        String printed = config.toYaml();
        assertThat(new GatewayConfigParser().parse(printed, "effective.yaml")).as(printed).isEqualTo(config);
        assertThat(printed).contains("        qos_class: gold\n")
                .contains("        rate_limit:\n          per_second: 1000\n          burst: 100\n")
                .contains("fleet:\n            redis: 127.0.0.1:6379\n            key: netkit:hsm:b0\n            members: 3\n"
                        + "            timeout: 20ms\n            batch: 25\n")
                .contains("    rate_limits:\n      requests:\n        per_second: 50000\n        burst: 5000\n")
                .contains("      mode: shaping\n")
                .contains("      requests_per_client:\n        per_second: 3000\n        burst: 300\n")
                .contains("      strict_class: control\n      starvation_bound: 4\n");
    }

    @Test
    void theReadmeExampleOfLimitsParses() throws Exception {
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("..", "README.md"));
        int at = readme.indexOf("- **Rate limits and classes of service** (anet listeners");
        int start = readme.indexOf("```yaml\n", at) + "```yaml\n".length();
        String yaml = readme.substring(start, readme.indexOf("  ```\n", start)).replaceAll("(?m)^  ", "");
        GatewayConfig config = parse(yaml);
        AnetListenerConfig front = (AnetListenerConfig) config.listeners().getFirst();
        assertThat(front.rateLimits().bytes().burst()).isEqualTo(104_857_600);
        assertThat(front.routes().get(1).rateLimit().orElseThrow().fleet().orElseThrow().members()).isEqualTo(3);
        assertThat(config.clusters().getFirst().qos().orElseThrow().classes().get(1).capacity())
                .isEqualTo(config.clusters().getFirst().pool().maxPending());
    }

    @Test
    void withoutLimitsTheEffectiveConfigSaysShapingAndNoBuckets() {
        GatewayConfig config = parse(GatewayConfigParserTest.MINIMAL);
        assertThat(((AnetListenerConfig) config.listeners().get(0)).rateLimits()).isEqualTo(ServerLimits.none());
        assertThat(config.toYaml()).contains("    rate_limits:\n      mode: shaping\n").doesNotContain("qos");
    }

    private static ConfigException fail(String from, String to) {
        String yaml = FILE.replace(from, to);
        assertThat(yaml).as("the replacement applies").isNotEqualTo(FILE);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(yaml));
        assertThat(e).as("a ConfigException for " + to).isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n").startsWith("gateway.yaml:");
        return e;
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "requests: { per_second: 50000, burst: 5000 }|requests: { per_second: 0, burst: 5000 }|listeners[0].rate_limits.requests.per_second|0 is out of range; allowed: 1..1000000000000000",
        "requests: { per_second: 50000, burst: 5000 }|requests: { per_second: -3, burst: 5000 }|listeners[0].rate_limits.requests.per_second|-3 is out of range; allowed: 1..1000000000000000",
        "requests: { per_second: 50000, burst: 5000 }|requests: { per_second: 99999999999999999999 }|listeners[0].rate_limits.requests.per_second|99999999999999999999 is out of range (too large)",
        "requests: { per_second: 50000, burst: 5000 }|requests: { per_second: 2000000000000000 }|listeners[0].rate_limits.requests.per_second|2000000000000000 is out of range; allowed: 1..1000000000000000",
        "requests: { per_second: 50000, burst: 5000 }|requests: { per_second: 50000, burst: 0 }|listeners[0].rate_limits.requests.burst|0 is out of range; allowed: 1..1000000000000000",
        "requests: { per_second: 50000, burst: 5000 }|requests: { burst: 5000 }|listeners[0].rate_limits.requests|missing key \"per_second\"",
        "requests_per_client: { per_second: 3000, burst: 300 }|requests_per_client: { per_second: 0 }|listeners[0].rate_limits.requests_per_client.per_second|0 is out of range; allowed: 1..1000000000000000",
        "bytes_per_client: { per_second: 20971520 }|bytes_per_client: { rate: 5 }|listeners[0].rate_limits.bytes_per_client.rate|unknown key",
        "requests_per_connection: { per_second: 1000 }|mode: throttle|listeners[0].rate_limits.mode|unknown value \"throttle\"; allowed: shaping, policing",
        "rate_limit: { per_second: 1000, burst: 100 }|rate_limit: { per_second: 0 }|listeners[0].routes[0].rate_limit.per_second|0 is out of range; allowed: 1..1000000000000000",
        "rate_limit: { per_second: 1000, burst: 100 }|rate_limit: { per_second: 10, burst: -1 }|listeners[0].routes[0].rate_limit.burst|-1 is out of range; allowed: 1..1000000000000000",
        "members: 3,|members: 0,|listeners[0].routes[1].rate_limit.fleet.members|0 is out of range; allowed: 1..10000",
        "members: 3, timeout|timeout|listeners[0].routes[1].rate_limit.fleet|missing key \"members\"",
        "127.0.0.1:6379|127.0.0.1|listeners[0].routes[1].rate_limit.fleet.redis|bad address",
        "timeout: 20ms|timeout: 0s|listeners[0].routes[1].rate_limit.fleet.timeout|0s is out of range; allowed: at least 1ms",
        "timeout: 20ms|timeout: 1m|listeners[0].routes[1].rate_limit.fleet.timeout|1m is out of range; allowed: 1ms..10s",
        "batch: 25|batch: -1|listeners[0].routes[1].rate_limit.fleet.batch|-1 is out of range; allowed: 0..1000000",
        "{ name: gold, weight: 6 }|{ name: gold, weight: 0 }|clusters[0].qos.classes[1].weight|0 is out of range; allowed: 1..1000000 (a class with weight 0 would never be served)",
        "{ name: gold, weight: 6 }|{ name: gold, weight: -2 }|clusters[0].qos.classes[1].weight|-2 is out of range; allowed: 1..1000000",
        "{ name: gold, weight: 6 }|{ name: control }|clusters[0].qos.classes[1].name|class \"control\" is defined twice",
        "{ name: control, capacity: 10 }|{ name: control, capacity: 0 }|clusters[0].qos.classes[0].capacity|0 is out of range; allowed: 1..2147483647",
        "strict_class: control|strict_class: platinum|clusters[0].qos.strict_class|unknown class \"platinum\" (defined: control, gold, bronze)",
        "default_class: bronze|default_class: silver|clusters[0].qos.default_class|unknown class \"silver\"",
        "starvation_bound: 4|starvation_bound: 0|clusters[0].qos.starvation_bound|0 is out of range; allowed: 1..2147483647",
        "qos_class: gold|qos_class: glod|listeners[0].routes[0].qos_class|unknown class \"glod\" of cluster \"hsm\"; did you mean \"gold\"? (defined: control, gold, bronze)",
    })
    void aBadValueNamesItsKeyAndTheAllowedRange(String from, String to, String path, String problem) {
        ConfigException e = fail(from, to);
        assertThat(e.path()).as(e.getMessage()).isEqualTo(path);
        assertThat(e.problem()).as(e.getMessage()).contains(problem);
    }

    @Test
    void aListenerMayShareAFleetLimitWhenItPolices() {
        String yaml = FILE.replace("      requests_per_client: { per_second: 3000, burst: 300 }\n",
                "      requests_per_client: { per_second: 3000, burst: 300 }\n"
                + "      fleet_requests: { per_second: 9000, burst: 900, fleet: { redis: \"127.0.0.1:6379\", key: \"netkit:front\", members: 4 } }\n"
                + "      mode: policing\n");
        assertThat(yaml).isNotEqualTo(FILE);
        GatewayConfig config = parse(yaml);
        ServerLimits limits = ((AnetListenerConfig) config.listener("front").orElseThrow()).rateLimits();
        assertThat(limits.policing()).isTrue();
        assertThat(limits.fleetRequests().perSecond()).isEqualTo(9_000);
        assertThat(limits.fleetRequests().burst()).isEqualTo(900);
        assertThat(limits.fleet()).isEqualTo(FleetConfig.of("127.0.0.1", 6379, "netkit:front", 4));
        String printed = config.toYaml();
        assertThat(printed).contains("      fleet_requests:\n        per_second: 9000\n        burst: 900\n        fleet:\n");
        assertThat(new GatewayConfigParser().parse(printed, "effective.yaml")).as(printed).isEqualTo(config);

        ConfigException shaping = catchThrowableOfType(ConfigException.class, () -> parse(yaml.replace("      mode: policing\n", "")));
        assertThat(shaping.path()).as(shaping.getMessage()).isEqualTo("listeners[0].rate_limits.fleet_requests");
        assertThat(shaping.problem()).isEqualTo("a fleet limit polices, and the listener shapes (say mode: policing)");
        ConfigException local = catchThrowableOfType(ConfigException.class, () -> parse(yaml.replace(
                ", fleet: { redis: \"127.0.0.1:6379\", key: \"netkit:front\", members: 4 }", "")));
        assertThat(local.path()).isEqualTo("listeners[0].rate_limits.fleet_requests");
        assertThat(local.problem()).startsWith("missing key \"fleet\"");
    }

    @Test
    void aPolicingBytesLimitMustHoldTheLargestFrame() {
        ConfigException e = fail("burst: 1048576 }", "burst: 65536 }\n      mode: policing");
        assertThat(e.path()).isEqualTo("listeners[0].rate_limits");
        assertThat(e.problem()).isEqualTo("bytes/s per connection: burst 65536 (expected: >= 65537 when policing:"
                + " the largest frame could never pass a smaller burst)");
    }

    @Test
    void aRouteNamingAClassOfAClusterWithoutQosIsRefused() {
        String yaml = FILE.replace("""
                    qos:
                      classes:
                        - { name: control, capacity: 10 }
                        - { name: gold, weight: 6 }
                        - { name: bronze, weight: 1, capacity: 1000 }
                      default_class: bronze
                      strict_class: control
                      starvation_bound: 4
                """, "");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(yaml));
        assertThat(e.path()).isEqualTo("listeners[0].routes[0].qos_class");
        assertThat(e.problem()).isEqualTo("cluster \"hsm\" has no qos classes (give it qos: { classes: [...] })");
    }

    @Test
    void anEmptyClassListIsRefused() {
        ConfigException e = fail("""
                      classes:
                        - { name: control, capacity: 10 }
                        - { name: gold, weight: 6 }
                        - { name: bronze, weight: 1, capacity: 1000 }
                      default_class: bronze
                      strict_class: control
                """, """
                      classes: []
                """);
        assertThat(e.path()).isEqualTo("clusters[0].qos.classes");
        assertThat(e.problem()).startsWith("no classes");
    }
}
