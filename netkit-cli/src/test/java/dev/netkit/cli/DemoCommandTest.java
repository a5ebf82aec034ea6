package dev.netkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DemoCommandTest {
    private static final Pattern CLIENT_REQUESTS =
            Pattern.compile("(?m)^requests\\s+([\\d,.\\u00a0\\u202f]+) ok\\s+errors 0\\s+mismatched 0$");
    private static final Pattern SERVER_REQUESTS =
            Pattern.compile("(?m)^server\\s+([\\d,.\\u00a0\\u202f]+) requests on 2 connection\\(s\\); 0 handler errors, 0 protocol violations$");

    @Test
    void shortDemoRunsCleanAndPrintsTheReport() {
        CliRun run = CliRun.execute(Duration.ofSeconds(20),
                "demo", "--duration", "1s", "--warmup", "200ms", "--connections", "2", "--depth", "2");

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).as(run.describe())
                .startsWith("netkit demo: echo server on 127.0.0.1:")
                .contains("requests", "throughput", "mismatched 0")
                .containsPattern("(?m)^throughput\\s+[\\d,.\\u00a0\\u202f]+ req/s$")
                .containsPattern("(?m)^latency\\s+p50 \\S+\\s+p90 \\S+\\s+p99 \\S+\\s+p99\\.9 \\S+\\s+max \\S+$")
                .doesNotContain("errors       "); // the per-kind error line appears only when there were errors

        long clientOk = count(CLIENT_REQUESTS, run);
        long serverRequests = count(SERVER_REQUESTS, run);
        assertThat(clientOk).as("verified responses in the measured window").isPositive();
        assertThat(serverRequests).as("the server handled every verified request, plus the warm-up")
                .isGreaterThanOrEqualTo(clientOk);
    }

    private static long count(Pattern pattern, CliRun run) {
        Matcher m = pattern.matcher(run.out());
        assertThat(m.find()).as("%s in\n%s", pattern, run.describe()).isTrue();
        return Long.parseLong(m.group(1).replaceAll("\\D", ""));
    }
}
