package dev.netkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.gateway.config.GatewayConfigParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayCommandTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final String VALID = """
            listeners:
              - name: front
                bind: 127.0.0.1:7100
                protocol: anet
                cluster: backends
            clusters:
              - name: backends
                endpoints: [ "127.0.0.1:7001", "127.0.0.1:7002=3@zone-b" ]
                lb: least-outstanding
            """;

    @TempDir
    Path dir;

    private Path write(String name, String yaml) throws Exception {
        return Files.writeString(dir.resolve(name), yaml);
    }

    @Test
    void checkPrintsTheEffectiveConfigAndExitsZero() throws Exception {
        Path file = write("gateway.yaml", VALID);
        CliRun run = CliRun.execute(LIMIT, "gateway", "--config", file.toString(), "--check");

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).as(run.describe()).startsWith("listeners:\n")
                .contains("    on_failure: drop\n", "    lb: least-outstanding\n", "      - 127.0.0.1:7002=3@zone-b\n",
                        "admin:\n  bind: 127.0.0.1:9901\n");
        assertThat(run.err()).isEqualTo("netkit gateway: " + file + " is valid" + System.lineSeparator());
        assertThat(new GatewayConfigParser().parse(run.out(), "printed"))
                .as("what --check prints is a valid file with the same meaning")
                .isEqualTo(new GatewayConfigParser().parse(file));
    }

    @Test
    void aBadFileIsOneLineOnStderrAndExitTwo() throws Exception {
        Path file = write("gateway.yaml", VALID.replace("lb: least-outstanding", "lb: round_robin"));
        CliRun run = CliRun.execute(LIMIT, "gateway", "--config", file.toString(), "--check");

        assertThat(run.exitCode()).as(run.describe()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines()).as(run.describe()).containsExactly("netkit gateway: " + file
                + ":9:9: clusters[0].lb: unknown value \"round_robin\"; allowed: round-robin, weighted, least-outstanding, "
                + "least-latency, random, ring-hash, maglev");
    }

    @Test
    void malformedYamlAndAMissingFileAreOneLineToo() throws Exception {
        Path file = write("broken.yaml", "listeners: [ { name: a\n");
        CliRun broken = CliRun.execute(LIMIT, "gateway", "--config", file.toString(), "--check");
        assertThat(broken.exitCode()).isEqualTo(2);
        assertThat(broken.err().lines()).as(broken.describe()).singleElement().asString()
                .startsWith("netkit gateway: " + file + ":").contains("malformed YAML: ").doesNotContain("Exception");

        Path missing = dir.resolve("missing.yaml");
        CliRun none = CliRun.execute(LIMIT, "gateway", "--config", missing.toString(), "--check");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err().lines()).containsExactly("netkit gateway: " + missing + ": cannot read: no such file");
    }

    @Test
    void aListenerThatCannotBindIsOneLineAndExitTwo() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path file = write("gateway.yaml", VALID.replace("127.0.0.1:7100", "127.0.0.1:" + taken.getLocalPort()));
            CliRun run = CliRun.execute(LIMIT, "gateway", "--config", file.toString());

            assertThat(run.exitCode()).as(run.describe()).isEqualTo(2);
            assertThat(run.out()).isEmpty();
            assertThat(run.err().lines()).as(run.describe()).singleElement().asString()
                    .startsWith("netkit gateway: listener front (anet) on 127.0.0.1:" + taken.getLocalPort() + ": cannot bind: ")
                    .contains("in use");
        }
    }

    @Test
    void aBadFileIsReportedEvenWithoutCheck() throws Exception {
        Path file = write("gateway.yaml", VALID.replace("endpoints:", "endpionts:"));
        CliRun run = CliRun.execute(LIMIT, "gateway", "--config", file.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines()).containsExactly("netkit gateway: " + file
                + ":8:5: clusters[0].endpionts: unknown key; did you mean \"endpoints\"?");
    }
}
