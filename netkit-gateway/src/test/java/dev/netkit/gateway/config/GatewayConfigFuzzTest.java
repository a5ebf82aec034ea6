package dev.netkit.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/*
 * Fuzz target: the gateway's YAML loader (what `netkit gateway --config` and `--check` run) on
 * arbitrary bytes; the seeds are valid files, so the fuzzer's mutations explore near-valid ones.
 * Invariants: the parser returns a config or throws ConfigException, never another exception;
 * the message names the file, and with a line and column whenever the problem has a place in the
 * file; a config it returns survives the round trip through EffectiveConfig (its YAML parses to
 * an equal config). Input sizes are bounded by the fuzzer (and by the loader's own limits).
 */
/** Jazzer target for the gateway's configuration loader; see the note above. */
class GatewayConfigFuzzTest {
    private static final GatewayConfigParser PARSER = new GatewayConfigParser();

    @FuzzTest(maxDuration = "5m")
    void arbitraryYaml(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        GatewayConfig config;
        try {
            config = PARSER.parse(text, "fuzz.yaml");
        } catch (ConfigException e) {
            assertThat(e.file()).isEqualTo("fuzz.yaml");
            assertThat(e.getMessage()).as("one line").doesNotContain("\n");
            if (e.line() > 0) {
                assertThat(e.getMessage()).as("names file:line:col").matches("fuzz\\.yaml:\\d+:\\d+: .*");
                assertThat(e.column()).isPositive();
            } else {
                assertThat(e.getMessage()).startsWith("fuzz.yaml: ");
            }
            return;
        }
        String effective = EffectiveConfig.toYaml(config);
        assertThat(PARSER.parse(effective, "effective.yaml")).as("round trip of\n%s", effective).isEqualTo(config);
    }
}
