package dev.netkit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.metrics.testing.PromText;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --metrics-port 0} (a child JVM) and {@code load --metrics-port 0} (in process),
 * both scraped over HTTP while the load runs.
 */
@EnabledOnOs(OS.LINUX)
class MetricsCliTest {
    private static final Pattern METRICS_ON = Pattern.compile("metrics on (http://127\\.0\\.0\\.1:\\d+/metrics)");

    @TempDir
    Path tmp;

    @Test
    void serveAndLoadExposeTheirMetersWhileRunning() throws Exception {
        try (ServeProcess serve = ServeProcess.start(0, tmp.resolve("serve-stderr.txt"), List.of("--metrics-port", "0"))) {
            AtomicReference<URI> serveUri = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> find(serve.stderr(), serveUri));

            StringWriter loadErr = new StringWriter();
            CompletableFuture<CliRun> load = CompletableFuture.supplyAsync(() -> CliRun.execute(Duration.ofSeconds(30), loadErr,
                    "load", "--target", serve.target(), "--connections", "2", "--depth", "4",
                    "--duration", "3s", "--warmup", "200ms", "--json", "--metrics-port", "0", "--metrics-histograms"));
            AtomicReference<URI> loadUri = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> find(loadErr.toString(), loadUri) || load.isDone());
            assertThat(loadUri.get()).as("load's stderr announces its endpoint:\n%s", loadErr).isNotNull();

            String endpoint = serve.target();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                PromText scrape = PromText.scrape(loadUri.get());
                assertThat(scrape.type("netkit_broker_requests_sent_total")).isEqualTo("counter");
                assertThat(scrape.value("netkit_broker_requests_sent_total").orElse(0)).isPositive();
                assertThat(scrape.type("netkit_client_request_seconds")).isEqualTo("histogram");
                assertThat(scrape.value("netkit_client_request_seconds_count", "endpoint", endpoint, "outcome", "success")
                        .orElse(0)).isPositive();
                assertThat(scrape.value("netkit_pool_connections", "endpoint", endpoint)).hasValue(2);
                assertThat(scrape.value("netkit_balancer_endpoint_status", "endpoint", endpoint, "status", "healthy")).hasValue(1);
            });
            PromText served = PromText.scrape(serveUri.get());
            assertThat(served.type("netkit_server_requests_total")).isEqualTo("counter");
            assertThat(served.value("netkit_server_requests_total").orElse(0)).isPositive();
            assertThat(served.value("netkit_server_connections")).hasValue(2);
            assertThat(load.isDone()).as("scraped during the run").isFalse();

            CliRun run = load.get();
            assertThat(run.exitCode()).as(run.describe()).isZero();
            assertThat(run.outLines()).as("--json: stdout holds the report only").hasSize(1);
            assertThat(PromText.scrape(serveUri.get()).value("netkit_server_requests_total").orElse(0))
                    .as("the server counted at least what the load measured")
                    .isGreaterThanOrEqualTo(JsonFields.number(MiniJson.parseObject(run.lastOutLine()), "requests"));
            assertThat(loadUri.get().getPort()).isNotEqualTo(serveUri.get().getPort());
        }
    }

    private static boolean find(String text, AtomicReference<URI> uri) {
        Matcher m = METRICS_ON.matcher(text);
        if (m.find()) {
            uri.set(URI.create(m.group(1)));
            return true;
        }
        return false;
    }
}
