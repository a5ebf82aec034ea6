package dev.netkit.cli;

import static dev.netkit.netty.testing.RawClient.frame;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.netty.testing.RawClient;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code netkit serve --rate-limit/--per-connection-rate/--bandwidth/--police} in a real process, and their bad values. */
class ServeRateOptionsTest {
    @TempDir
    Path tmp;

    @Test
    void aPerConnectionRateSpacesAClientsRequests() throws Exception {
        try (ServeProcess serve = ServeProcess.start(0, tmp.resolve("stderr.txt"), List.of("--per-connection-rate", "20:2"));
             RawClient client = new RawClient(new InetSocketAddress("127.0.0.1", serve.port()), 10_000)) {
            long start = System.nanoTime();
            for (int i = 1; i <= 8; i++) {
                client.write(frame(i, new byte[] {(byte) i}));
                assertThat(client.readFrame()).hasSize(7);
            }
            long elapsed = System.nanoTime() - start;
            assertThat(elapsed).as(serve.stderr()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(240)); // (8 - 2 - 1) / 20 s
            assertThat(serve.stderr()).contains("netkit serve: ServerLimits[shaping, --per-connection-rate 20/s burst 2]");
        }
    }

    @Test
    void aPerClientRateIsSharedByTheClientsConnections() throws Exception {
        InetSocketAddress address;
        try (ServeProcess serve = ServeProcess.start(0, tmp.resolve("stderr.txt"), List.of("--per-client-rate", "20:2"))) {
            address = new InetSocketAddress("127.0.0.1", serve.port());
            try (RawClient one = new RawClient(address, 10_000); RawClient two = new RawClient(address, 10_000)) {
                long start = System.nanoTime();
                for (int i = 1; i <= 4; i++) { // 8 requests from one address over two connections
                    one.write(frame(i, new byte[] {(byte) i}));
                    assertThat(one.readFrame()).hasSize(7);
                    two.write(frame(i, new byte[] {(byte) i}));
                    assertThat(two.readFrame()).hasSize(7);
                }
                long elapsed = System.nanoTime() - start;
                assertThat(elapsed).as(serve.stderr()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(240)); // (8 - 2 - 1) / 20 s
            }
            assertThat(serve.stderr()).contains("netkit serve: ServerLimits[shaping, --per-client-rate 20/s burst 2]");
        }
    }

    @Test
    void policingClosesAClientOverItsRate() throws Exception {
        try (ServeProcess serve = ServeProcess.start(0, tmp.resolve("stderr.txt"), List.of("--rate-limit", "1:1", "--police"));
             RawClient client = new RawClient(new InetSocketAddress("127.0.0.1", serve.port()), 10_000)) {
            client.write(frame(1, new byte[] {1}));
            client.write(frame(2, new byte[] {2}));
            assertThat(client.readFrame()).hasSize(7);
            assertThat(client.closedByPeerWithin(5_000)).as(serve.stderr()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "--rate-limit|0|Invalid value for option '--rate-limit': '0': rate 0 (expected: 1..1000000000000000)",
            "--per-connection-rate|-3|Invalid value for option '--per-connection-rate': '-3' is not a rate",
            "--bandwidth|99999999999999999999|Invalid value for option '--bandwidth': '99999999999999999999': 99999999999999999999 overflows",
            "--bandwidth|20Gi:1:2|'20Gi:1:2' is not a rate (expected RATE[:BURST]",
            "--per-client-rate|0:5|Invalid value for option '--per-client-rate': '0:5': rate 0 (expected: 1..",
            "--per-client-bandwidth|1x|Invalid value for option '--per-client-bandwidth': '1x' is not a rate",
            "--per-connection-bandwidth|10k:0|Invalid value for option '--per-connection-bandwidth': '10k:0': burst 0 (expected: 1..",
            "--rate-limit|2000000000000000|'2000000000000000': rate 2000000000000000 (expected: 1..1000000000000000)"})
    void badRatesAreOneLineNamingTheOption(String option, String value, String expected) {
        CliRun run = CliRun.execute(Duration.ofSeconds(20), "serve", "--port", "0", option, value);
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(2);
        assertThat(run.err().lines()).as(run.describe()).singleElement().asString().startsWith("netkit serve: ").contains(expected);
    }

    @Test
    void aPolicingByteBurstBelowTheLargestFrameIsOneLineNamingTheOption() {
        CliRun run = CliRun.execute(Duration.ofSeconds(20), "serve", "--port", "0", "--bandwidth", "1k", "--police");
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(2);
        assertThat(run.err().lines()).as(run.describe()).singleElement().asString()
                .isEqualTo("netkit serve: --bandwidth: burst 1000 (expected: >= 65537 when policing: the largest frame could "
                        + "never pass a smaller burst)");
    }
}
