package dev.netkit.cli;

import static dev.netkit.cli.JsonFields.list;
import static dev.netkit.cli.JsonFields.map;
import static dev.netkit.cli.JsonFields.number;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.cli.load.report.XmlDoc;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.TestServers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/** {@code netkit load --html FILE --hdr FILE} against in-process echo servers. */
class LoadReportFilesTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void thePageAndTheLogAgreeWithTheJsonReport() throws IOException {
        Path html = dir.resolve("report.html");
        Path hdr = dir.resolve("latency.hdr");
        try (FrameServer a = start(); FrameServer b = start()) {
            String targetA = "127.0.0.1:" + a.localAddress().getPort();
            String targetB = "127.0.0.1:" + b.localAddress().getPort();
            CliRun run = CliRun.execute(LIMIT, "load", "--target", targetA + "," + targetB + "=2@z1", "--lb", "weighted",
                    "--connections", "1", "--depth", "4", "--duration", "2s", "--warmup", "200ms", "--json",
                    "--html", html.toString(), "--hdr", hdr.toString());

            assertThat(run.exitCode()).as(run.describe()).isZero();
            assertThat(run.outLines()).as("stdout is still the JSON line only").hasSize(1);
            assertThat(run.err()).contains("report written to " + html, "report written to " + hdr);
            Map<String, Object> json = MiniJson.parseObject(run.lastOutLine());
            String page = Files.readString(html);
            XmlDoc doc = XmlDoc.parse(page);

            assertThat(page).as("self-contained").doesNotContainIgnoringCase("<script").doesNotContain("http://", "https://")
                    .doesNotContainIgnoringCase("<link").doesNotContainIgnoringCase("@import").doesNotContainIgnoringCase("url(");
            assertThat(value(doc, "requests")).isEqualTo(number(json, "requests")).isPositive();
            assertThat(value(doc, "errors")).isEqualTo(number(json, "errors"));
            assertThat(value(doc, "mismatched")).isEqualTo(number(json, "mismatched"));
            assertThat(value(doc, "retried")).isEqualTo(number(json, "retried"));
            assertThat(value(doc, "throughput")).isEqualTo(number(json, "throughput_rps"));
            assertThat(value(doc, "duration")).isEqualTo(number(json, "duration_s"));
            assertThat(value(doc, "size")).isEqualTo(number(json, "size"));
            Map<String, Object> latency = map(json, "latency_us");
            for (String p : List.of("p50", "p90", "p99", "p999", "max")) {
                assertThat(value(doc, "latency-" + p)).as(p).isEqualTo(number(latency, p));
            }
            assertThat(doc.one("//*[@id='strategy']").getAttribute("data-value")).isEqualTo("weighted");
            assertThat(doc.one("//*[@id='targets']").getTextContent()).contains(targetA, targetB + " weight 2 zone z1");
            assertThat(doc.one("//*[@id='load']").getTextContent()).isEqualTo("1 connection(s) × depth 4 per target");

            List<Map<String, Object>> timeline = list(json, "timeline");
            long rated = timeline.stream().filter(t -> number(t, "ms") >= 250).count();
            assertThat(rated).as("two seconds measured").isBetween(2L, 3L);
            List<Element> svgs = doc.all("//svg");
            assertThat(svgs).extracting(s -> s.getAttribute("id"))
                    .containsExactly("throughput-chart", "latency-chart", "endpoint-bars", "endpoint-timeline");
            assertThat(svgs).allSatisfy(s -> assertThat(s.getElementsByTagName("title").getLength()).isPositive());
            assertThat(XmlDoc.points(doc.one("//svg[@id='throughput-chart']//polyline[contains(@class,'rps')]")))
                    .as("one point per timeline entry (a remnant under 250 ms has no meaningful rate)").hasSize((int) rated);
            assertThat(XmlDoc.points(doc.one("//svg[@id='latency-chart']//polyline"))).hasSizeGreaterThan(10);
            assertThat(doc.all("//svg[@id='endpoint-bars']/g[@class='endpoint']"))
                    .extracting(g -> g.getAttribute("data-endpoint"), g -> Double.valueOf(g.getAttribute("data-answered")))
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(targetA, number(list(json, "endpoints").get(0), "answered")),
                            org.assertj.core.groups.Tuple.tuple(targetB, number(list(json, "endpoints").get(1), "answered")));
            assertThat(doc.all("//svg[@id='endpoint-timeline']/polygon"))
                    .hasSize(2).allSatisfy(p -> assertThat(p.getAttribute("data-points")).isEqualTo(Long.toString(rated)));
            assertThat(doc.all("//p[@id='no-events']")).hasSize(1);

            long logged = 0;
            int intervals = 0;
            HistogramLogReader reader = new HistogramLogReader(hdr.toFile());
            for (EncodableHistogram h = reader.nextIntervalHistogram(); h != null; h = reader.nextIntervalHistogram()) {
                logged += ((Histogram) h).getTotalCount();
                intervals++;
            }
            reader.close();
            assertThat(logged).as("every verified request's latency is in the log once").isEqualTo((long) number(json, "requests"));
            assertThat(intervals).as("one interval per timeline entry").isEqualTo(timeline.size());
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files).as("no temporary file left").containsExactlyInAnyOrder(html, hdr);
            }
        }
    }

    @Test
    void theTextReportSaysWhereTheFilesWent() throws IOException {
        Path html = dir.resolve("r.html");
        try (FrameServer a = start()) {
            CliRun run = CliRun.execute(LIMIT, "load", "--target", "127.0.0.1:" + a.localAddress().getPort(),
                    "--connections", "1", "--depth", "1", "--duration", "300ms", "--warmup", "0s", "--html", html.toString());

            assertThat(run.exitCode()).as(run.describe()).isZero();
            assertThat(run.out()).as(run.describe()).containsPattern("(?m)^report written to " + java.util.regex.Pattern.quote(html.toString()) + "$");
            assertThat(Files.readString(html)).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
        }
    }

    @Test
    void aMissingDirectoryIsRejectedBeforeTheRunWithExitTwo() {
        Path nowhere = dir.resolve("missing").resolve("report.html");

        CliRun run = CliRun.execute(LIMIT, "load", "--target", "127.0.0.1:9", "--duration", "1s", "--html", nowhere.toString());

        assertThat(run.exitCode()).as(run.describe()).isEqualTo(2);
        assertThat(run.err()).contains("--html " + nowhere, "directory " + dir.resolve("missing") + " does not exist");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aDirectoryGivenAsTheFileIsRejected() {
        CliRun run = CliRun.execute(LIMIT, "load", "--target", "127.0.0.1:9", "--duration", "1s", "--hdr", dir.toString());

        assertThat(run.exitCode()).as(run.describe()).isEqualTo(2);
        assertThat(run.err()).contains("--hdr " + dir + ": is a directory");
    }

    @Test
    void whenTheTargetsCannotBeReachedNoFileIsLeft() throws IOException {
        Path hdr = dir.resolve("latency.hdr");

        CliRun run = CliRun.execute(LIMIT, "load", "--target", "127.0.0.1:1", "--duration", "1s", "--warmup", "0s",
                "--connections", "1", "--hdr", hdr.toString(), "--html", dir.resolve("r.html").toString());

        assertThat(run.exitCode()).as(run.describe()).isEqualTo(2);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).as("neither the files nor their temporary files").isEmpty();
        }
    }

    private static double value(XmlDoc doc, String id) {
        return Double.parseDouble(doc.one("//*[@id='" + id + "']").getAttribute("data-value"));
    }

    private static FrameServer start() {
        return FrameServer.builder().config(TestServers.loopback().ioThreads(1).build()).handler(RequestHandler.echo()).start();
    }
}
