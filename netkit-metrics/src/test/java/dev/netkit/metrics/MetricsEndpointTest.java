package dev.netkit.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netkit.core.balance.BalancerListener;
import dev.netkit.core.balance.EndpointStatus;
import dev.netkit.metrics.testing.PromText;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerConfig;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.TestServers;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scrape over HTTP: names, types, units and labels as Prometheus sees them. */
class MetricsEndpointTest {
    private final PrometheusMeterRegistry registry = NetkitMetrics.prometheusRegistry();

    @AfterEach
    void closeRegistry() {
        registry.close();
    }

    @Test
    void scrapeShowsPrometheusNamesTypesUnitsAndLabels() throws Exception {
        int n = 50;
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().build()).handler(RequestHandler.echo()).start();
             ServerMetrics serverMetrics = NetkitMetrics.bind(registry, server);
             BrokerMetrics metrics = BrokerMetrics.create(registry);
             Broker broker = Broker.create(BrokerConfig.builder().endpoints("127.0.0.1:" + server.localAddress().getPort()).build(),
                     BalancerListener.NONE, metrics.observer());
             MetricsEndpoint http = MetricsEndpoint.start(registry, 0)) {
            metrics.bind(broker);
            for (int i = 0; i < n; i++) {
                broker.call(new byte[] {(byte) i});
            }
            String endpoint = "127.0.0.1:" + server.localAddress().getPort();
            assertThat(http.address().getAddress().isLoopbackAddress()).isTrue();
            assertThat(http.uri()).isEqualTo(URI.create("http://127.0.0.1:" + http.address().getPort() + "/metrics"));

            HttpResponse<String> response = PromText.get(http.uri());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            PromText scrape = PromText.parse(response.body());

            assertThat(scrape.type("netkit_server_requests_total")).as(scrape.toString()).isEqualTo("counter");
            assertThat(scrape.value("netkit_server_requests_total")).hasValue(n);
            assertThat(scrape.type("netkit_server_connections")).isEqualTo("gauge");
            assertThat(scrape.value("netkit_server_timeouts_total", "type", "idle")).hasValue(0);
            assertThat(scrape.type("netkit_broker_responses_total")).isEqualTo("counter");
            assertThat(scrape.value("netkit_broker_responses_total")).hasValue(n);
            assertThat(scrape.type("netkit_broker_connection_reuse_ratio")).isEqualTo("gauge");
            assertThat(scrape.type("netkit_pool_connections")).isEqualTo("gauge");
            assertThat(scrape.value("netkit_pool_connections_closed_total", "endpoint", endpoint, "reason", "peer_closed")).hasValue(0);
            assertThat(scrape.type("netkit_pool_connections_opened_total")).isEqualTo("counter");
            assertThat(scrape.type("netkit_pool_acquire_wait_seconds")).isEqualTo("gauge");
            assertThat(scrape.find("netkit_pool_acquire_wait_seconds", "endpoint", endpoint)).hasSize(3);
            assertThat(scrape.type("netkit_balancer_endpoint_latency_ewma_seconds")).isEqualTo("gauge");
            assertThat(scrape.value("netkit_balancer_endpoint_latency_ewma_seconds", "endpoint", endpoint).getAsDouble())
                    .as("seconds, not milliseconds: loopback answers well within 1 s").isPositive().isLessThan(1.0);
            assertThat(scrape.value("netkit_balancer_endpoint_status", "endpoint", endpoint, "status", "healthy")).hasValue(1);
            assertThat(scrape.find("netkit_balancer_endpoint_status", "endpoint", endpoint)).hasSize(EndpointStatus.values().length);
            assertThat(scrape.value("netkit_balancer_endpoint_picks_total", "endpoint", endpoint)).hasValue(n);

            assertThat(scrape.type("netkit_client_request_seconds")).isEqualTo("histogram");
            assertThat(scrape.value("netkit_client_request_seconds_count", "endpoint", endpoint, "outcome", "success")).hasValue(n);
            assertThat(scrape.find("netkit_client_request_seconds_bucket", "endpoint", endpoint, "outcome", "success"))
                    .hasSizeGreaterThan(10)
                    .anySatisfy(s -> assertThat(s.labels()).containsEntry("le", "+Inf"));
            assertThat(scrape.value("netkit_client_request_seconds_bucket", "endpoint", endpoint, "outcome", "success", "le", "+Inf"))
                    .hasValue(n);
            assertThat(scrape.value("netkit_client_request_seconds_sum", "endpoint", endpoint, "outcome", "success").getAsDouble())
                    .isPositive().isLessThan(n * 1.0);
            assertThat(scrape.type("netkit_client_request_seconds_max")).isEqualTo("gauge");

            assertThat(scrape.samples()).as("every meter carries the netkit_ prefix")
                    .allSatisfy(s -> assertThat(s.name()).startsWith("netkit_"));
        }
    }

    @Test
    void otherPathsAre404OtherMethods405AndOpenMetricsOnRequest() throws Exception {
        try (MetricsEndpoint http = MetricsEndpoint.start(registry, "127.0.0.1", 0);
             HttpClient client = HttpClient.newHttpClient()) {
            registry.counter("netkit.test.things").increment(3);
            String base = "http://127.0.0.1:" + http.address().getPort();
            assertThat(PromText.get(URI.create(base + "/")).statusCode()).isEqualTo(404);
            assertThat(PromText.get(URI.create(base + "/metrics/x")).statusCode()).isEqualTo(404);
            HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            HttpResponse<String> open = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                    .header("Accept", "application/openmetrics-text; version=1.0.0").timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(open.statusCode()).isEqualTo(200);
            assertThat(open.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/openmetrics-text");
            assertThat(open.body()).contains("netkit_test_things_total 3.0").endsWith("# EOF\n");
        }
    }

    @Test
    void closeStopsListening() throws Exception {
        MetricsEndpoint http = MetricsEndpoint.start(registry, 0);
        URI uri = http.uri();
        assertThat(PromText.get(uri).statusCode()).isEqualTo(200);
        http.close();
        http.close(); // idempotent
        assertThatThrownBy(() -> PromText.get(uri)).isInstanceOf(IOException.class)
                .satisfiesAnyOf(e -> assertThat(e).isInstanceOf(ConnectException.class), e -> assertThat(e).hasMessageContaining(""));
    }
}
