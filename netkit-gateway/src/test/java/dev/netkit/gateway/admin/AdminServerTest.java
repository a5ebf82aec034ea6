package dev.netkit.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.gateway.Gateway;
import dev.netkit.gateway.config.GatewayConfig;
import dev.netkit.gateway.testing.TcpBackend;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerConfig;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.testing.TestServers;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The admin endpoints over real HTTP, against a real gateway with real backends. */
class AdminServerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final CountDownLatch drained = new CountDownLatch(1);
    private final AtomicInteger drains = new AtomicInteger();
    @TempDir
    Path dir;
    private Path file;
    private Gateway gateway;
    private AdminServer admin;

    @AfterEach
    void closeAll() throws Exception {
        http.close();
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T later(T c) {
        toClose.add(c);
        return c;
    }

    /** A backend that answers with its name and the request: "NAME:payload". */
    private FrameServer named(String name) {
        return later(FrameServer.builder().config(TestServers.loopback().build())
                .handler((request, alloc) -> Unpooled.wrappedBuffer(bytes(name + ":"), bytes(request.toString(StandardCharsets.US_ASCII))))
                .start());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String at(FrameServer s) {
        return "127.0.0.1:" + s.localAddress().getPort();
    }

    /** Writes {@code yaml} to the config file, starts the gateway from it and the admin server. */
    private void start(String yaml) throws IOException {
        file = dir.resolve("gateway.yaml");
        Files.writeString(file, yaml);
        gateway = later(Gateway.start(GatewayConfig.load(file)));
        admin = later(AdminServer.start(gateway, AdminServer.reloadFrom(gateway, file), () -> {
            drains.incrementAndGet();
            drained.countDown();
        }));
    }

    private Broker client(String listener) {
        return later(Broker.create(BrokerConfig.builder().endpoints("127.0.0.1:" + gateway.address(listener).getPort())
                .requestTimeout(Duration.ofSeconds(3)).build()));
    }

    private static String call(Broker b, String payload) {
        return new String(b.call(bytes(payload)), StandardCharsets.US_ASCII);
    }

    private HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(admin.uri() + path)).timeout(WAIT)
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path);
    }

    private HttpResponse<String> post(String path) throws Exception {
        return send("POST", path);
    }

    /** GETs {@code path}, checks 200 and JSON, returns the parsed document. */
    private Map<?, ?> json(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        return (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(r.body());
    }

    private static Object path(Object doc, String... keys) {
        Object o = doc;
        for (String k : keys) {
            assertThat(o).as("at " + k).isInstanceOf(Map.class);
            o = ((Map<?, ?>) o).get(k);
        }
        return o;
    }

    private static long number(Object doc, String... keys) {
        return ((Number) path(doc, keys)).longValue();
    }

    /** The value of the sample {@code name{...labels...}} in a Prometheus text, or null if absent. */
    private static Double sample(String prometheus, String name, String... labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)} (\\S+)$").matcher(prometheus);
        while (m.find()) {
            Set<String> have = new HashSet<>(List.of(m.group(1).split(",")));
            if (have.containsAll(List.of(labels))) {
                return Double.parseDouble(m.group(2));
            }
        }
        return null;
    }

    private static final String TWO_BACKENDS = """
            listeners:
              - name: front
                bind: 127.0.0.1:0
                protocol: anet
                cluster: all
              - name: l4
                bind: 127.0.0.1:0
                protocol: tcp
                cluster: %s
            clusters:
              - name: all
                endpoints: [ "%s", "%s" ]
                lb: round-robin
              - name: echo
                endpoints: [ "%s" ]
            admin: { bind: 127.0.0.1:0 }
            """;

    @Test
    void statsClustersAndMetricsCountKnownTraffic() throws Exception {
        FrameServer a1 = named("a1");
        FrameServer a2 = named("a2");
        TcpBackend echo = later(TcpBackend.echo());
        start(TWO_BACKENDS.formatted("echo", at(a1), at(a2), echo.address()));
        Broker c = client("front");
        for (int i = 0; i < 20; i++) {
            assertThat(call(c, "r" + i)).endsWith(":r" + i);
        }
        try (Socket s = new Socket("127.0.0.1", gateway.address("l4").getPort())) {
            s.getOutputStream().write(bytes("0123456789"));
            assertThat(s.getInputStream().readNBytes(10)).isEqualTo(bytes("0123456789"));
        }
        await().atMost(WAIT).until(() -> gateway.listenerStats().stream()
                .anyMatch(x -> x instanceof dev.netkit.gateway.TcpListenerStats t && t.active() == 0 && t.accepted() == 1));

        Map<?, ?> stats = json("/stats");
        assertThat(number(stats, "listeners", "front", "requests")).isEqualTo(20);
        assertThat(number(stats, "listeners", "front", "answered")).isEqualTo(20);
        assertThat(number(stats, "listeners", "front", "dropped")).isZero();
        assertThat((Map<?, ?>) path(stats, "listeners", "front", "failures")).isEmpty();
        assertThat(number(stats, "listeners", "front", "server", "connections_accepted")).isEqualTo(1);
        assertThat(number(stats, "listeners", "front", "server", "connections_active")).isEqualTo(1);
        assertThat(number(stats, "listeners", "l4", "accepted")).isEqualTo(1);
        assertThat(number(stats, "listeners", "l4", "bytes_from_clients")).isEqualTo(10);
        assertThat(number(stats, "listeners", "l4", "bytes_to_clients")).isEqualTo(10);
        assertThat(number(stats, "listeners", "l4", "endpoints", echo.address(), "bytes_to_upstream")).isEqualTo(10);

        Map<?, ?> clusters = json("/clusters");
        long picks = 0;
        for (FrameServer b : List.of(a1, a2)) {
            Object e = path(clusters, "clusters", "all", "broker", "endpoints", at(b));
            assertThat(path(e, "status")).isEqualTo("HEALTHY");
            assertThat(number(e, "requests")).as("round robin").isEqualTo(10);
            assertThat(number(e, "successes")).isEqualTo(10);
            assertThat(number(e, "errors")).isZero();
            assertThat(number(e, "outstanding")).isZero();
            assertThat(((Number) path(e, "latency_ewma_ms")).doubleValue()).isPositive();
            assertThat(number(e, "upstream_connections", "total")).isEqualTo(1);
            picks += number(e, "requests");
        }
        assertThat(picks).isEqualTo(20);
        assertThat(path(clusters, "clusters", "echo", "broker")).as("no request-level traffic: no broker").isNull();
        assertThat(number(clusters, "clusters", "echo", "tcp", "l4", "endpoints", echo.address(), "requests")).isEqualTo(1);

        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain; version=0.0.4");
        String text = metrics.body();
        assertThat(sample(text, "netkit_gateway_requests_total", "listener=\"front\"")).isEqualTo(20.0);
        assertThat(sample(text, "netkit_gateway_answered_total", "listener=\"front\"")).isEqualTo(20.0);
        assertThat(sample(text, "netkit_server_requests_total", "listener=\"front\"")).isEqualTo(20.0);
        assertThat(sample(text, "netkit_broker_responses_total", "cluster=\"all\"")).isEqualTo(20.0);
        assertThat(sample(text, "netkit_balancer_endpoint_picks_total", "cluster=\"all\"", "endpoint=\"" + at(a1) + "\"")).isEqualTo(10.0);
        assertThat(sample(text, "netkit_gateway_tcp_connections_accepted_total", "listener=\"l4\"")).isEqualTo(1.0);
        assertThat(sample(text, "netkit_gateway_tcp_received_bytes_total", "listener=\"l4\"")).isEqualTo(10.0);
        assertThat(sample(text, "netkit_gateway_tcp_upstream_sent_bytes_total", "listener=\"l4\"", "endpoint=\"" + echo.address() + "\""))
                .isEqualTo(10.0);
    }

    @Test
    void metricsHaveEachEndpointsLatencyHistogramOnceTheClusterHasABroker() throws Exception {
        FrameServer a1 = named("a1");
        FrameServer a2 = named("a2");
        start(TWO_BACKENDS.formatted("all", at(a1), at(a2), at(a1)));
        Broker c = client("front");
        call(c, "makes the broker");
        assertThat(get("/metrics").statusCode()).isEqualTo(200); // binds the cluster's timers
        for (int i = 0; i < 20; i++) {
            call(c, "r" + i);
        }
        String text = get("/metrics").body();
        for (FrameServer b : List.of(a1, a2)) {
            String endpoint = "endpoint=\"" + at(b) + "\"";
            assertThat(sample(text, "netkit_client_request_seconds_count", "cluster=\"all\"", endpoint, "outcome=\"success\""))
                    .as("round robin: half of the 20 after the first scrape").isEqualTo(10.0);
            assertThat(sample(text, "netkit_client_request_seconds_bucket", "cluster=\"all\"", endpoint, "outcome=\"success\"",
                    "le=\"+Inf\"")).isEqualTo(10.0);
        }
    }

    @Test
    void aFailureShowsItsKindInStatsAndMetrics() throws Exception {
        FrameServer a1 = named("a1");
        start("""
                listeners:
                  - name: front
                    bind: 127.0.0.1:0
                    protocol: anet
                    routes:
                      - match: { offset: 0, text: "ok" }
                        cluster: all
                clusters:
                  - name: all
                    endpoints: [ "%s" ]
                """.formatted(at(a1)));
        Broker c = client("front");
        assertThat(call(c, "ok1")).isEqualTo("a1:ok1");
        c.send(bytes("no route"), Duration.ofMillis(300)).exceptionally(e -> null).join();
        await().atMost(WAIT).until(() -> number(json("/stats"), "listeners", "front", "dropped") == 1);
        assertThat(number(json("/stats"), "listeners", "front", "failures", "no_route")).isEqualTo(1);
        String text = get("/metrics").body();
        assertThat(sample(text, "netkit_gateway_failures_total", "listener=\"front\"", "kind=\"no_route\"")).isEqualTo(1.0);
        assertThat(sample(text, "netkit_gateway_dropped_total", "listener=\"front\"")).isEqualTo(1.0);
    }

    @Test
    void drainingAnEndpointStopsTrafficToItAndEnablingBringsItBack() throws Exception {
        FrameServer a1 = named("a1");
        FrameServer a2 = named("a2");
        start(TWO_BACKENDS.formatted("all", at(a1), at(a2), at(a1)));
        Broker c = client("front");
        call(c, "warm up");

        HttpResponse<String> r = post("/clusters/all/endpoints/" + at(a1) + "/drain");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("drained " + at(a1));
        Map<?, ?> clusters = json("/clusters");
        assertThat(path(clusters, "clusters", "all", "broker", "endpoints", at(a1), "status")).isEqualTo("DRAINED");
        assertThat(path(clusters, "clusters", "all", "broker", "endpoints", at(a2), "status")).isEqualTo("HEALTHY");
        assertThat(path(clusters, "clusters", "all", "tcp", "l4", "endpoints", at(a1), "status")).isEqualTo("DRAINED");
        for (int i = 0; i < 10; i++) {
            assertThat(call(c, "d" + i)).isEqualTo("a2:d" + i);
        }

        r = post("/clusters/all/endpoints/" + at(a1) + "/enable");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(path(json("/clusters"), "clusters", "all", "broker", "endpoints", at(a1), "status")).isNotEqualTo("DRAINED");
        Set<String> reached = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            String answer = call(c, "e" + i);
            reached.add(answer.substring(0, answer.indexOf(':')));
        }
        assertThat(reached).containsExactlyInAnyOrder("a1", "a2");

        r = post("/clusters/nope/endpoints/" + at(a1) + "/drain");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("no cluster \"nope\"").contains("all");
        r = post("/clusters/all/endpoints/127.0.0.1:1/drain");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("no endpoint 127.0.0.1:1").contains(at(a1));
        r = post("/clusters/all/endpoints/not-an-address/drain");
        assertThat(r.statusCode()).isEqualTo(400);
        r = get("/clusters/all/endpoints/" + at(a1) + "/drain");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void aDrainOutlivesAReloadThatReplacesItsCluster() throws Exception {
        FrameServer a1 = named("a1");
        FrameServer a2 = named("a2");
        start(TWO_BACKENDS.formatted("all", at(a1), at(a2), at(a1)));
        Broker c = client("front");
        assertThat(post("/clusters/all/endpoints/" + at(a1) + "/drain").statusCode()).isEqualTo(200);

        // lb changes: the cluster gets a new runtime (new broker, new balancers)
        Files.writeString(file, TWO_BACKENDS.formatted("all", at(a1), at(a2), at(a1)).replace("lb: round-robin", "lb: least-outstanding"));
        HttpResponse<String> r = post("/reload");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<?, ?> clusters = json("/clusters");
        assertThat(path(clusters, "clusters", "all", "broker", "endpoints", at(a1), "status")).isEqualTo("DRAINED");
        assertThat(path(clusters, "clusters", "all", "tcp", "l4", "endpoints", at(a1), "status")).isEqualTo("DRAINED");
        for (int i = 0; i < 10; i++) {
            assertThat(call(c, "r" + i)).isEqualTo("a2:r" + i);
        }

        // an endpoint removed by a reload forgets its drain: re-added later, it serves again
        Files.writeString(file, TWO_BACKENDS.formatted("all", at(a2), at(a2), at(a1)).replace("\"" + at(a2) + "\", \"" + at(a2) + "\"", "\"" + at(a2) + "\""));
        assertThat(post("/reload").statusCode()).isEqualTo(200);
        Files.writeString(file, TWO_BACKENDS.formatted("all", at(a1), at(a2), at(a1)));
        assertThat(post("/reload").statusCode()).isEqualTo(200);
        assertThat(path(json("/clusters"), "clusters", "all", "broker", "endpoints", at(a1), "status")).isNotEqualTo("DRAINED");
    }

    private static final String RELOADABLE = """
            listeners:
              - name: front
                bind: 127.0.0.1:0
                protocol: anet
                cluster: %s
            %s
            clusters:
              - name: c1
                endpoints: [ "%s" ]
              - name: c2
                endpoints: [ "%s" ]
            admin: { bind: 127.0.0.1:0 }
            """;

    @Test
    void reloadAppliesAGoodFileAndRejectsABadOneWhileTheOldConfigServes() throws Exception {
        FrameServer one = named("one");
        FrameServer two = named("two");
        start(RELOADABLE.formatted("c1", "", at(one), at(two)));
        Broker c = client("front");
        assertThat(call(c, "a")).isEqualTo("one:a");

        String second = """
                  - name: second
                    bind: 127.0.0.1:0
                    protocol: anet
                    cluster: c1
                """;
        Files.writeString(file, RELOADABLE.formatted("c2", second, at(one), at(two)));
        HttpResponse<String> r = post("/reload");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("reloaded").contains("2 listeners");
        assertThat(call(c, "b")).isEqualTo("two:b");
        call(client("second"), "x");
        String text = get("/metrics").body();
        assertThat(sample(text, "netkit_gateway_requests_total", "listener=\"second\"")).isEqualTo(1.0);
        assertThat(sample(text, "netkit_server_requests_total", "listener=\"second\"")).isEqualTo(1.0);

        Files.writeString(file, RELOADABLE.formatted("c1", "", at(one), at(two)).replace("endpoints:", "endpoint:"));
        r = post("/reload");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("gateway.yaml:").contains("endpoint").doesNotContain("\tat ");
        assertThat(r.body().strip()).doesNotContain("\n");
        assertThat(call(c, "c")).as("the old config serves").isEqualTo("two:c");
        assertThat(get("/config").body()).contains("cluster: c2");

        Files.writeString(file, RELOADABLE.formatted("c1", "", at(one), at(two)));
        assertThat(post("/reload").statusCode()).isEqualTo(200);
        assertThat(call(c, "d")).isEqualTo("one:d");
        text = get("/metrics").body();
        assertThat(sample(text, "netkit_gateway_requests_total", "listener=\"second\"")).as("retired listener's meters removed").isNull();
        assertThat(sample(text, "netkit_server_requests_total", "listener=\"second\"")).isNull();
        assertThat(sample(text, "netkit_gateway_requests_total", "listener=\"front\"")).isEqualTo(4.0);
    }

    @Test
    void configIsYamlByDefaultAndJsonOnRequest() throws Exception {
        FrameServer one = named("one");
        start(RELOADABLE.formatted("c1", "", at(one), at(one)));
        HttpResponse<String> yaml = get("/config");
        assertThat(yaml.statusCode()).isEqualTo(200);
        assertThat(yaml.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/yaml");
        assertThat(yaml.body()).isEqualTo(gateway.config().toYaml());

        Map<?, ?> json = json("/config?format=json");
        assertThat(((Map<?, ?>) ((List<?>) json.get("listeners")).getFirst()).get("name")).isEqualTo("front");
        assertThat(json).isEqualTo(new Load(LoadSettings.builder().build()).loadFromString(yaml.body()));
        HttpResponse<String> accept = send("GET", "/config", "Accept", "application/json");
        assertThat(accept.headers().firstValue("Content-Type")).hasValue("application/json");

        HttpResponse<String> bad = get("/config?format=xml");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("xml").contains("yaml, json");
    }

    @Test
    void readyUntilADrainBeginsAndTheDrainActionRunsOnce() throws Exception {
        FrameServer one = named("one");
        start(RELOADABLE.formatted("c1", "", at(one), at(one)));
        HttpResponse<String> r = get("/ready");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ready\n");

        assertThat(get("/drain").statusCode()).isEqualTo(405);
        r = post("/drain");
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(drained.await(10, TimeUnit.SECONDS)).isTrue();
        r = get("/ready");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("draining\n");
        assertThat(post("/drain").statusCode()).isEqualTo(202);
        assertThat(drains.get()).isEqualTo(1);
    }

    @Test
    void readyReportsADrainOfTheGatewayItself() throws Exception {
        FrameServer one = named("one");
        start(RELOADABLE.formatted("c1", "", at(one), at(one)));
        gateway.close();
        assertThat(get("/ready").statusCode()).isEqualTo(503);
    }

    @Test
    void unknownPathsAre404AndWrongMethods405() throws Exception {
        FrameServer one = named("one");
        start(RELOADABLE.formatted("c1", "", at(one), at(one)));
        HttpResponse<String> r = get("/nope");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("/nope").contains("/stats");
        assertThat(get("/clusters/c1/whatever").statusCode()).isEqualTo(404);
        for (String path : List.of("/ready", "/stats", "/clusters", "/config", "/metrics")) {
            r = post(path);
            assertThat(r.statusCode()).as(path).isEqualTo(405);
            assertThat(r.headers().firstValue("Allow")).as(path).hasValue("GET, HEAD");
        }
        r = get("/reload");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValue("POST");
        assertThat(send("HEAD", "/stats").statusCode()).isEqualTo(200);
    }
}
