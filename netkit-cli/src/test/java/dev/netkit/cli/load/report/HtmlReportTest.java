package dev.netkit.cli.load.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netkit.cli.load.BalancerEvent;
import dev.netkit.cli.load.LoadPlan;
import dev.netkit.cli.load.LoadResult;
import dev.netkit.core.endpoint.Endpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/** The page from a crafted result: well-formed, self-contained, hostile text escaped; and its file handling. */
class HtmlReportTest {
    private static final String DETAIL = "</td><script>alert(1)</script> & \"more\"";

    @TempDir
    Path dir;

    @Test
    void hostileTextFromTheRunIsEscapedAndThePageStaysWellFormed() {
        Histogram h = new Histogram(3);
        h.recordValue(250_000);
        LoadResult r = new LoadResult(1, 3, Map.of("timeout<&>", 3L), 0, 1.0, new LoadResult.Latency(250, 250, 250, 250, 250), h,
                2, 1.0, 0, 0, 0, 0,
                List.of(ChartsTest.endpoint("a&b:1", 1, 3)),
                List.of(new LoadResult.TimedEvent(400, new BalancerEvent(0, "ejected", new Endpoint("10.0.0.1", 1), DETAIL))),
                0, List.of(ChartsTest.entry(1000, 1000, 1, 3, "a&b:1", 1L)));
        LoadPlan plan = new LoadPlan(List.of(new Endpoint("10.0.0.1", 1)), 1, 1, 8, Duration.ofSeconds(1), Duration.ZERO,
                Duration.ofSeconds(1), 1);

        String page = HtmlReport.render(plan, "nio", r);
        XmlDoc doc = XmlDoc.parse(page);

        assertThat(page).doesNotContain("<script", "http://", "https://", "a&b");
        Element row = doc.one("//table[@id='events']/tr[@class='event']");
        assertThat(row.getElementsByTagName("td").item(3).getTextContent()).as("the detail reads as it was").isEqualTo(DETAIL);
        assertThat(doc.one("//td[@data-kind]").getAttribute("data-kind")).isEqualTo("timeout<&>");
        assertThat(doc.one("//svg[@id='throughput-chart']//g[@class='event']/title").getTextContent()).endsWith(DETAIL);
        assertThat(doc.one("//*[@id='requests']").getAttribute("data-value")).isEqualTo("1");
        assertThat(doc.one("//*[@id='latency-p99']").getTextContent()).isEqualTo("250\u00a0µs");
    }

    @Test
    void writingReplacesTheFileThroughATemporaryOneThatDoesNotStay() throws IOException {
        Path file = dir.resolve("report.html");
        Files.writeString(file, "old");

        ReportFile.writeString(file, "new");

        assertThat(Files.readString(file)).isEqualTo("new");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void checksNameTheOptionAndWhatIsWrong() {
        assertThat(ReportFile.check("--html", dir.resolve("x.html"))).isEqualTo(dir.resolve("x.html").toAbsolutePath());
        assertThatThrownBy(() -> ReportFile.check("--html", dir.resolve("no/x.html")))
                .hasMessage("--html " + dir.resolve("no/x.html") + ": directory " + dir.resolve("no") + " does not exist");
        assertThatThrownBy(() -> ReportFiles.of(dir.resolve("same"), dir.resolve("same")))
                .hasMessageContaining("--html and --hdr: both");
    }
}
