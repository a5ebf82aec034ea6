package dev.netkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code netkit demo} in a short run: three backends behind the gateway, backend 2 killed at one
 * third of the measured time and restarted at two thirds; the test reads the story from the output.
 */
class DemoCommandTest {
    private static final String NUMBER = "([\\d,.\\u00a0\\u202f]+)";

    @Test
    void theGatewayTakesTheKilledBackendOutAndBackWhileTheLoadGoesOnAndOnlyItsInFlightRequestsFail() throws IOException {
        CliRun run = CliRun.execute(Duration.ofSeconds(40),
                "demo", "--duration", "4s", "--warmup", "500ms", "--connections", "4", "--depth", "8");
        Path html = null;
        try {
            assertThat(run.exitCode()).as(run.describe()).isZero();
            assertThat(run.out()).as(run.describe())
                    .startsWith("netkit demo: 3 echo backends on 127.0.0.1:")
                    .containsPattern("(?m)^\\[\\s*1\\.\\ds\\]\\s+" + NUMBER + " req/s") // live progress
                    .containsPattern("(?m)^requests\\s+" + NUMBER + " ok\\s+errors " + NUMBER + "\\s+mismatched 0$")
                    .containsPattern("(?m)^latency\\s+p50 \\S+\\s+p90 \\S+\\s+p99 \\S+\\s+p99\\.9 \\S+\\s+max \\S+$")
                    .containsPattern("(?m)^verdict\\s+clean: ");

            // Every backend answered through the gateway; backend 2 in both of its lives.
            for (int i = 1; i <= 3; i++) {
                assertThat(number(run, "(?m)^backend " + i + "\\s+127\\.0\\.0\\.1:\\d+\\s+answered " + NUMBER))
                        .as("answers of backend %d", i).isPositive();
            }
            Matcher lives = find(run, "(?m)^backend 2\\s+.*\\(served " + NUMBER + " \\+ " + NUMBER + "; whole run\\)$");
            assertThat(parse(lives.group(1))).as("backend 2 before the kill").isPositive();
            assertThat(parse(lives.group(2))).as("backend 2 after the restart").isPositive();

            // The timeline: out of service soon after the kill, back soon after the restart.
            long out = number(run, "(?m)^\\s+[+-]\\d+ ms\\s+(?:ejected|unhealthy)\\s+" + NUMBER + " ms after the kill");
            assertThat(out).as("ms from the kill to the ejection or unhealthy verdict").isLessThan(2_000);
            long back = number(run, "(?m)^\\s+back in service " + NUMBER + " ms after the restart$");
            assertThat(back).as("ms from the restart to the return").isLessThan(3_000);
            assertThat(run.out()).containsPattern("(?m)^\\s+[+-]\\d+ ms\\s+(?:returned|healthy)\\s+\\d+ ms after the restart");

            // Only the requests in flight on the victim failed.
            long failed = number(run, "(?m)^failed\\s+" + NUMBER + " request\\(s\\) seen by the load");
            long lost = number(run, "(?m)^\\s+lost in flight on the killed backend: " + NUMBER);
            assertThat(failed).as(run.describe()).isLessThanOrEqualTo(lost).isEqualTo(number(run, "(?m)^requests\\s+.* errors " + NUMBER));
            assertThat(lost).as("a request in flight per lane at most").isLessThanOrEqualTo(4 * 8);
            assertThat(run.out()).containsPattern("(?m)lost elsewhere: 0$");

            // The HTML report: a whole page whose throughput chart marks the kill, the restart and the gateway's events.
            html = Path.of(find(run, "(?m)^html report  (\\S+)$").group(1));
            assertThat(html).exists();
            String page = Files.readString(html);
            assertThat(page).startsWith("<!DOCTYPE html>").endsWith("</html>\n")
                    .contains("data-type=\"killed\"", "data-type=\"restarted\"")
                    .containsPattern("data-type=\"(ejected|unhealthy)\"");
            assertThat(run.lastOutLine()).startsWith("html report  ");
        } finally {
            if (html != null) {
                Files.deleteIfExists(html);
            }
        }
    }

    @Test
    void helpSaysWhatTheDemoDoes() {
        CliRun run = CliRun.execute(Duration.ofSeconds(10), "demo", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out().replaceAll("\\s+", " "))
                .contains("Three embedded echo backends, a request-level gateway",
                        "Backend 2 is killed at one third of the measured time and restarted on the same port at two thirds",
                        "failover timeline", "HTML report", "--duration", "--warmup", "--connections", "--depth", "--size",
                        "(default: 12s)", "(default: 2s)");
    }

    private static Matcher find(CliRun run, String regex) {
        Matcher m = Pattern.compile(regex).matcher(run.out());
        assertThat(m.find()).as("%s in\n%s", regex, run.describe()).isTrue();
        return m;
    }

    private static long number(CliRun run, String regex) {
        return parse(find(run, regex).group(1));
    }

    private static long parse(String digits) {
        return Long.parseLong(digits.replaceAll("\\D", ""));
    }
}
