package dev.netkit.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad file: one exception naming file, line, column, key path and the problem. */
class BadConfigTest {
    private static final String LISTENER = """
            listeners:
              - name: front
                bind: 127.0.0.1:7100
                protocol: anet
                cluster: backends
            """;

    private static ConfigException fail(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> new GatewayConfigParser().parse(yaml, "gateway.yaml"));
        assertThat(e).as("a ConfigException for:\n" + yaml).isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n").startsWith("gateway.yaml:");
        return e;
    }

    private static void assertAt(ConfigException e, int line, int column, String path) {
        assertThat(e.line()).as(e.getMessage()).isEqualTo(line);
        assertThat(e.column()).as(e.getMessage()).isEqualTo(column);
        assertThat(e.path()).as(e.getMessage()).isEqualTo(path);
        assertThat(e.getMessage()).startsWith("gateway.yaml:" + line + ":" + column + ": " + (path.isEmpty() ? "" : path + ": "));
    }

    /** The listener above plus one cluster "backends" with these extra lines (indented 4). */
    private static String cluster(String... lines) {
        return LISTENER + "clusters:\n  - name: backends\n    endpoints: [ \"127.0.0.1:7001\" ]\n"
                + String.join("", java.util.Arrays.stream(lines).map(l -> "    " + l + "\n").toList());
    }

    @Test
    void malformedYamlNamesSnakeyamlsProblemAndMark() {
        ConfigException e = fail("""
                listeners:
                  - name: front
                    bind: 127.0.0.1:7100: x
                """);
        assertAt(e, 3, 25, "");
        assertThat(e.problem()).startsWith("malformed YAML: mapping values are not allowed here");
    }

    @Test
    void aTagSnakeyamlCannotBuildIsMalformedYamlNotAnIllegalArgument() {
        // snakeyaml-engine throws a bare IllegalArgumentException for this tag (GatewayConfigFuzzTest).
        assertThatThrownBy(() -> new GatewayConfigParser().parse("!%0", "gateway.yaml")).isInstanceOf(ConfigException.class)
                .hasMessage("gateway.yaml: malformed YAML: Tag must not contain leading or trailing spaces.");
    }

    @Test
    void anUnknownKeyIsReportedAtItsOwnPositionWithTheNearestKnownKey() {
        ConfigException e = fail(LISTENER + """
                clusters:
                  - name: backends
                    endpionts: [ "127.0.0.1:7001" ]
                """);
        assertAt(e, 8, 5, "clusters[0].endpionts");
        assertThat(e.problem()).isEqualTo("unknown key; did you mean \"endpoints\"?");
    }

    @Test
    void anUnknownNestedKeyIsSuggestedToo() {
        ConfigException e = fail(cluster("health:", "  intervl: 1s"));
        assertAt(e, 10, 7, "clusters[0].health.intervl");
        assertThat(e.problem()).contains("did you mean \"interval\"?");
    }

    @Test
    void anUnknownKeyFarFromAnyListsTheKnownKeys() {
        ConfigException e = fail("colour: red\n" + LISTENER);
        assertAt(e, 1, 1, "colour");
        assertThat(e.problem()).isEqualTo("unknown key; known keys: listeners, clusters, admin, io");
    }

    @Test
    void anUnknownValueListsTheAllowedOnes() {
        ConfigException e = fail(cluster("lb: round_robin"));
        assertAt(e, 9, 9, "clusters[0].lb");
        assertThat(e.getMessage()).isEqualTo("gateway.yaml:9:9: clusters[0].lb: unknown value \"round_robin\"; allowed: "
                + "round-robin, weighted, least-outstanding, least-latency, random, ring-hash, maglev");
    }

    @Test
    void perConnectionPoliciesAreForTcpListenersOnly() {
        ConfigException e = fail(cluster("lb: sticky"));
        assertAt(e, 9, 9, "clusters[0].lb");
        assertThat(e.problem()).contains("unknown value \"sticky\"").doesNotContain("source-ip-hash");
    }

    @Test
    void yaml12NoIsAStringSoItIsAnUnknownProtocolAndNotABoolean() {
        ConfigException e = fail(cluster().replace("protocol: anet", "protocol: no"));
        assertAt(e, 4, 15, "listeners[0].protocol");
        assertThat(e.problem()).isEqualTo("unknown value \"no\"; allowed: anet, tcp, udp");

        ConfigException flag = fail(cluster("health: { enabled: no }"));
        assertAt(flag, 9, 24, "clusters[0].health.enabled");
        assertThat(flag.problem()).isEqualTo("expected true or false, got a string \"no\"");
    }

    @Test
    void wrongTypesSayWhatWasExpectedAndWhatCame() {
        ConfigException list = fail(LISTENER + "clusters:\n  - name: backends\n    endpoints: \"127.0.0.1:7001\"\n");
        assertAt(list, 8, 16, "clusters[0].endpoints");
        assertThat(list.problem()).isEqualTo("expected a list, got a string \"127.0.0.1:7001\"");

        ConfigException mapping = fail(cluster("health: 5"));
        assertAt(mapping, 9, 13, "clusters[0].health");
        assertThat(mapping.problem()).isEqualTo("expected a mapping (key: value lines), got an integer \"5\"");

        ConfigException integer = fail(cluster("upstream: { connections: many }"));
        assertAt(integer, 9, 30, "clusters[0].upstream.connections");
        assertThat(integer.problem()).isEqualTo("expected an integer, got a string \"many\"");

        ConfigException duration = fail(cluster("timeouts: { request: 5 }"));
        assertAt(duration, 9, 26, "clusters[0].timeouts.request");
        assertThat(duration.problem()).isEqualTo("expected a duration (" + Durations.FORMS + "), got an integer \"5\" without a unit");

        ConfigException badDuration = fail(cluster("timeouts: { request: 5 sec }"));
        assertThat(badDuration.problem()).isEqualTo("\"5 sec\" is not a duration (expected " + Durations.FORMS + ")");

        ConfigException listeners = fail("listeners: { name: a }\nclusters: [ { name: c, endpoints: [\"127.0.0.1:1\"] } ]\n");
        assertAt(listeners, 1, 12, "listeners");
        assertThat(listeners.problem()).isEqualTo("expected a list, got a mapping");
    }

    @Test
    void outOfRangeValuesNameTheAllowedRange() {
        ConfigException inFlight = fail(cluster("upstream: { max_in_flight: 0 }"));
        assertAt(inFlight, 9, 32, "clusters[0].upstream.max_in_flight");
        assertThat(inFlight.problem()).isEqualTo("0 is out of range; allowed: 1..65536");

        ConfigException panic = fail(cluster("panic_threshold: 1.5"));
        assertAt(panic, 9, 22, "clusters[0].panic_threshold");
        assertThat(panic.problem()).isEqualTo("1.5 is out of range; allowed: 0..1");

        ConfigException port = fail(cluster().replace("7100", "70000"));
        assertAt(port, 3, 11, "listeners[0].bind");
        assertThat(port.problem()).isEqualTo("bad address: port 70000 is out of range 0..65535");
    }

    @Test
    void aCombinationTheLibraryRefusesIsReportedInTheFilesWords() {
        ConfigException e = fail(cluster("outlier:", "  base_ejection: 60s", "  max_ejection: 10s"));
        assertAt(e, 10, 7, "clusters[0].outlier");
        assertThat(e.problem()).isEqualTo("max_ejection: 10s (expected: >= base_ejection 1m)");
    }

    @Test
    void duplicateListenerNamesAndPortsAreRefused() {
        ConfigException name = fail(LISTENER + """
                  - name: front
                    bind: 127.0.0.1:7101
                    protocol: tcp
                    cluster: backends
                clusters: [ { name: backends, endpoints: ["127.0.0.1:1"] } ]
                """);
        assertAt(name, 6, 11, "listeners[1].name");
        assertThat(name.problem()).isEqualTo("duplicate listener name \"front\" (first at line 2)");

        ConfigException port = fail(LISTENER + """
                  - name: back
                    bind: 0.0.0.0:7100
                    protocol: tcp
                    cluster: backends
                clusters: [ { name: backends, endpoints: ["127.0.0.1:1"] } ]
                """);
        assertAt(port, 7, 11, "listeners[1].bind");
        assertThat(port.problem()).isEqualTo("port 7100 is already bound by listener \"front\"");

        ConfigException admin = fail(LISTENER.replace("7100", "9901") + "clusters: [ { name: backends, endpoints: [\"127.0.0.1:1\"] } ]\n");
        assertAt(admin, 1, 1, "admin");
        assertThat(admin.problem()).contains("default port 9901 is bound by listener \"front\"; set admin.bind");
    }

    @Test
    void duplicateClusterNamesAreRefused() {
        ConfigException e = fail(LISTENER + """
                clusters:
                  - { name: backends, endpoints: ["127.0.0.1:1"] }
                  - { name: backends, endpoints: ["127.0.0.1:2"] }
                """);
        assertAt(e, 8, 13, "clusters[1].name");
        assertThat(e.problem()).isEqualTo("duplicate cluster name \"backends\" (first at line 7)");
    }

    @Test
    void anEmptyClusterIsRefused() {
        ConfigException empty = fail(LISTENER + "clusters:\n  - name: backends\n    endpoints: []\n");
        assertAt(empty, 8, 16, "clusters[0].endpoints");
        assertThat(empty.problem()).startsWith("empty cluster: no endpoints");

        ConfigException missing = fail(LISTENER + "clusters:\n  - name: backends\n");
        assertAt(missing, 7, 5, "clusters[0]");
        assertThat(missing.problem()).startsWith("missing key \"endpoints\"");
    }

    @Test
    void aRouteToAnUnknownClusterIsRefusedWithASuggestion() {
        ConfigException e = fail("""
                listeners:
                  - name: front
                    bind: 127.0.0.1:7100
                    protocol: anet
                    routes:
                      - match: { prefix: "A0" }
                        cluster: backend
                clusters: [ { name: backends, endpoints: ["127.0.0.1:1"] } ]
                """);
        assertAt(e, 7, 18, "listeners[0].routes[0].cluster");
        assertThat(e.problem()).isEqualTo("unknown cluster \"backend\"; did you mean \"backends\"? (defined: backends)");
    }

    @Test
    void aTcpListenerToAnUnknownClusterIsRefused() {
        ConfigException e = fail("""
                listeners: [ { name: t, bind: "127.0.0.1:7200", protocol: tcp, cluster: nowhere } ]
                clusters: [ { name: backends, endpoints: ["127.0.0.1:1"] } ]
                """);
        assertAt(e, 1, 73, "listeners[0].cluster");
        assertThat(e.problem()).isEqualTo("unknown cluster \"nowhere\" (defined: backends)");
    }

    @Test
    void aTcpListenerWithRoutesIsRefused() {
        ConfigException e = fail("""
                listeners:
                  - name: t
                    bind: 127.0.0.1:7200
                    protocol: tcp
                    cluster: backends
                    routes: [ { cluster: backends } ]
                clusters: [ { name: backends, endpoints: ["127.0.0.1:1"] } ]
                """);
        assertAt(e, 6, 5, "listeners[0].routes");
        assertThat(e.problem()).startsWith("not allowed on a tcp listener (it balances whole connections over one cluster: use cluster)");
    }

    /** A udp listener over cluster "backends" with these extra flow-style keys. */
    private static String udp(String keys) {
        return "listeners:\n  - { name: u, bind: \"127.0.0.1:7300\", protocol: udp, cluster: backends" + keys + " }\n"
                + "clusters: [ { name: backends, endpoints: [\"127.0.0.1:1\"] } ]\n";
    }

    @Test
    void udpListenerKeysAreCheckedWithTheirLimits() {
        ConfigException sticky = fail(udp(", lb: sticky"));
        assertThat(sticky.path()).isEqualTo("listeners[0].lb");
        assertThat(sticky.problem()).startsWith("unknown value \"sticky\"; allowed: round-robin,").contains("source-ip-hash");

        ConfigException routes = fail(udp(", routes: [ { cluster: backends } ]"));
        assertThat(routes.path()).isEqualTo("listeners[0].routes");
        assertThat(routes.problem()).startsWith("not allowed on a udp listener (it balances whole sessions over one cluster: use cluster)");

        ConfigException proxy = fail(udp(", proxy_protocol: v2"));
        assertThat(proxy.problem()).contains("allowed: name, bind, protocol, cluster, lb, idle_timeout, max_sessions, max_datagram_size");

        ConfigException sessions = fail(udp(", max_sessions: 0"));
        assertThat(sessions.path()).isEqualTo("listeners[0].max_sessions");
        assertThat(sessions.problem()).contains("0").contains("1");

        ConfigException size = fail(udp(", max_datagram_size: 65508"));
        assertThat(size.path()).isEqualTo("listeners[0].max_datagram_size");
        assertThat(size.problem()).contains("65508").contains("65507");

        ConfigException bare = fail(udp(", idle_timeout: 30"));
        assertThat(bare.path()).isEqualTo("listeners[0].idle_timeout");

        ConfigException noCluster = fail(udp("").replace(", cluster: backends", ""));
        assertThat(noCluster.problem()).isEqualTo("a udp listener needs cluster: NAME");
    }

    @Test
    void aUdpHealthCheckNeedsAProbeAndTakesTextOrHexNotBoth() {
        ConfigException expectOnly = fail(udp(", health: { expect: \"pong\" }"));
        assertThat(expectOnly.path()).isEqualTo("listeners[0].health");
        assertThat(expectOnly.problem()).startsWith("a udp health check needs probe:");

        ConfigException both = fail(udp(", health: { probe: \"ping\", probe_hex: \"00\" }"));
        assertThat(both.path()).isEqualTo("listeners[0].health.probe_hex");
        assertThat(both.problem()).isEqualTo("give either probe or probe_hex, not both");

        ConfigException unknown = fail(udp(", health: { probe: \"ping\", interval: 1s }"));
        assertThat(unknown.path()).isEqualTo("listeners[0].health.interval");

        ConfigException badHex = fail(udp(", health: { probe_hex: \"zz\" }"));
        assertThat(badHex.path()).isEqualTo("listeners[0].health.probe_hex");
    }

    @Test
    void anAnetListenerNeedsRoutesOrACluster() {
        ConfigException none = fail("""
                listeners:
                  - name: a
                    bind: 127.0.0.1:7100
                    protocol: anet
                clusters: [ { name: backends, endpoints: ["127.0.0.1:1"] } ]
                """);
        assertAt(none, 2, 5, "listeners[0]");
        assertThat(none.problem()).startsWith("an anet listener needs routes");

        ConfigException both = fail(LISTENER + "    routes: [ { cluster: backends } ]\nclusters: [ { name: backends, endpoints: [\"127.0.0.1:1\"] } ]\n");
        assertAt(both, 5, 5, "listeners[0].cluster");
        assertThat(both.problem()).isEqualTo("give either routes or cluster (one catch-all route), not both");

        ConfigException tcpOnly = fail(LISTENER + "    lb: sticky\nclusters: [ { name: backends, endpoints: [\"127.0.0.1:1\"] } ]\n");
        assertAt(tcpOnly, 6, 5, "listeners[0].lb");
        assertThat(tcpOnly.problem()).startsWith("not allowed on an anet listener; allowed: name, bind, protocol, routes");
    }

    @Test
    void aRouteAfterTheCatchAllIsUnreachable() {
        ConfigException e = fail("""
                listeners:
                  - name: a
                    bind: 127.0.0.1:7100
                    protocol: anet
                    routes:
                      - cluster: backends
                      - { match: { prefix: "01" }, cluster: backends }
                clusters: [ { name: backends, endpoints: ["127.0.0.1:1"] } ]
                """);
        assertAt(e, 7, 9, "listeners[0].routes[1]");
        assertThat(e.problem()).startsWith("unreachable: the route before it has no match");
    }

    @Test
    void badHexSaysWhichDigit() {
        String routes = """
                listeners:
                  - name: a
                    bind: 127.0.0.1:7100
                    protocol: anet
                    routes:
                      - { match: { prefix: "%s" }, cluster: backends }
                clusters: [ { name: backends, endpoints: ["127.0.0.1:1"] } ]
                """;
        ConfigException letter = fail(routes.formatted("A0G1"));
        assertAt(letter, 6, 28, "listeners[0].routes[0].match.prefix");
        assertThat(letter.problem()).isEqualTo("bad hex \"A0G1\": 'G' is not a hex digit (expected pairs of 0-9, a-f)");

        ConfigException odd = fail(routes.formatted("A0 1"));
        assertThat(odd.problem()).isEqualTo("bad hex \"A0 1\": 3 digits, expected an even number (two per byte)");

        ConfigException empty = fail(routes.formatted(""));
        assertThat(empty.problem()).isEqualTo("is empty (expected at least one byte)");

        ConfigException probe = fail(cluster("health: { probe: ping, probe_hex: \"70\" }"));
        assertAt(probe, 9, 28, "clusters[0].health.probe_hex");
        assertThat(probe.problem()).isEqualTo("give either probe or probe_hex, not both");
    }

    @Test
    void badEndpointStringsUseTheTargetParsersWords() {
        ConfigException weight = fail(LISTENER + "clusters:\n  - name: backends\n    endpoints: [ \"127.0.0.1:7001\", \"127.0.0.1:7002=0\" ]\n");
        assertAt(weight, 8, 36, "clusters[0].endpoints[1]");
        assertThat(weight.problem()).isEqualTo("bad endpoint \"127.0.0.1:7002=0\": weight 0 is out of range 1..10000 (forms: "
                + EndpointSpec.FORMS + ")");

        ConfigException noPort = fail(LISTENER + "clusters:\n  - name: backends\n    endpoints: [ localhost ]\n");
        assertThat(noPort.problem()).contains("bad endpoint \"localhost\": endpoint 'localhost': expected host:port");

        ConfigException twice = fail(LISTENER + "clusters:\n  - name: backends\n    endpoints: [ \"127.0.0.1:1=2\", \"127.0.0.1:1@z\" ]\n");
        assertAt(twice, 8, 35, "clusters[0].endpoints[1]");
        assertThat(twice.problem()).isEqualTo("127.0.0.1:1 is listed twice (also endpoints[0])");
    }

    @Test
    void aKeyGivenTwiceInOneMappingIsRefused() {
        ConfigException e = fail(cluster("lb: random", "lb: maglev"));
        assertAt(e, 10, 5, "clusters[0].lb");
        assertThat(e.problem()).isEqualTo("duplicate key (first at line 9)");
    }

    @Test
    void anUnknownRetryKindListsTheKinds() {
        ConfigException e = fail(cluster("retry: { retry_on: [ connection_lost, timeout, oops ] }"));
        assertAt(e, 9, 52, "clusters[0].retry.retry_on[2]");
        assertThat(e.problem()).startsWith("unknown value \"oops\"; allowed: queue_full, closed, no_endpoints");
    }

    @Test
    void disabledOutlierDetectionTakesNoOtherKeys() {
        ConfigException e = fail(cluster("outlier: { enabled: false, consecutive_failures: 3 }"));
        assertAt(e, 9, 32, "clusters[0].outlier.consecutive_failures");
        assertThat(e.problem()).contains("outlier detection is off");
    }

    @Test
    void anEmptyFileOrNoListenersIsRefused() {
        ConfigException empty = fail("# nothing\n");
        assertAt(empty, 1, 1, "");
        assertThat(empty.problem()).startsWith("empty file");

        ConfigException noListeners = fail("clusters: [ { name: c, endpoints: [\"127.0.0.1:1\"] } ]\n");
        assertThat(noListeners.problem()).startsWith("missing key \"listeners\"");
    }

    @Test
    void anUnreadableFileIsAConfigExceptionToo(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> new GatewayConfigParser().parse(missing));
        assertThat(e.getMessage()).isEqualTo(missing + ": cannot read: no such file");
        assertThat(e.line()).isZero();
    }

    /** {@link #LISTENER} with these extra lines in the listener (indented 4), and a cluster "backends". */
    private static String listenerWith(String... lines) {
        return LISTENER + String.join("", java.util.Arrays.stream(lines).map(l -> "    " + l + "\n").toList())
                + "clusters:\n  - name: backends\n    endpoints: [ \"127.0.0.1:7001\" ]\n";
    }

    @Test
    void aBadCidrIsNamedAtItsOwnPosition() {
        ConfigException e = fail(listenerWith("ip_policy:", "  allow: [ 10.0.0.0/8, \"10.1.0.0/33\" ]"));
        assertAt(e, 7, 28, "listeners[0].ip_policy.allow[1]");
        assertThat(e.problem()).isEqualTo("bad CIDR \"10.1.0.0/33\": prefix length 33 is out of range 0..32");
    }

    @Test
    void aCidrWithHostBitsSetSuggestsTheNetwork() {
        ConfigException e = fail(listenerWith("ip_policy:", "  deny:", "    - \"2001:db8::1/32\""));
        assertAt(e, 8, 11, "listeners[0].ip_policy.deny[0]");
        assertThat(e.problem()).endsWith("bits are set after the /32 prefix (did you mean 2001:db8::/32?)");
    }

    @Test
    void ipPolicyKeysAreCheckedLikeEveryOther() {
        ConfigException unknown = fail(listenerWith("ip_policy: { max_connection_per_ip: 3 }"));
        assertAt(unknown, 6, 18, "listeners[0].ip_policy.max_connection_per_ip");
        assertThat(unknown.problem()).isEqualTo("unknown key; did you mean \"max_connections_per_ip\"?");
        ConfigException negative = fail(listenerWith("ip_policy: { max_connections_per_ip: -1 }"));
        assertAt(negative, 6, 42, "listeners[0].ip_policy.max_connections_per_ip");
        assertThat(negative.problem()).isEqualTo("-1 is out of range; allowed: 0..2147483647");
        ConfigException notAList = fail(listenerWith("ip_policy: { allow: 10.0.0.0/8 }"));
        assertAt(notAList, 6, 25, "listeners[0].ip_policy.allow");
        assertThat(notAList.problem()).isEqualTo("expected a list, got a string \"10.0.0.0/8\"");
        ConfigException notAString = fail(listenerWith("ip_policy: { deny: [ { a: 1 } ] }"));
        assertAt(notAString, 6, 26, "listeners[0].ip_policy.deny[0]");
        assertThat(notAString.problem()).startsWith("expected a CIDR such as 10.0.0.0/8");
    }
}
