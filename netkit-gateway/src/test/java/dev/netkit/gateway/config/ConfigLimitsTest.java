package dev.netkit.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader's bounds on hostile files: each refused quickly with a ConfigException naming the file. */
class ConfigLimitsTest {
    private final GatewayConfigParser parser = new GatewayConfigParser();

    @Test
    void aBillionLaughsFileIsRefusedAtTheAliasLimit() {
        StringBuilder yaml = new StringBuilder("lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int level = 1; level <= 9; level++) {
            yaml.append("lol").append(level).append(": &l").append(level).append(" [");
            for (int i = 0; i < 10; i++) {
                yaml.append(i == 0 ? "" : ", ").append("*l").append(level - 1);
            }
            yaml.append("]\n");
        }
        yaml.append("listeners: *l9\n");
        assertTimeoutPreemptively(Duration.ofSeconds(5), () ->
                assertThatThrownBy(() -> parser.parse(yaml.toString(), "laughs.yaml"))
                        .isInstanceOf(ConfigException.class)
                        .hasMessageStartingWith("laughs.yaml: malformed YAML: ")
                        .hasMessageContaining("aliases")
                        .hasMessageContaining("max=" + GatewayConfigParser.MAX_COLLECTION_ALIASES));
    }

    @Test
    void deepNestingIsRefusedWithAConfigException() {
        String yaml = "listeners: " + "[".repeat(20_000);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () ->
                assertThatThrownBy(() -> parser.parse(yaml, "deep.yaml")).isInstanceOf(ConfigException.class)
                        .hasMessageStartingWith("deep.yaml"));
    }

    @Test
    void aFileOverTheSizeLimitIsNotRead(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.yaml");
        Files.write(big, new byte[GatewayConfigParser.MAX_CODE_POINTS + 1]);
        assertThatThrownBy(() -> parser.parse(big)).isInstanceOf(ConfigException.class)
                .hasMessage(big + ": file is " + (GatewayConfigParser.MAX_CODE_POINTS + 1) + " bytes; the limit is "
                        + GatewayConfigParser.MAX_CODE_POINTS + " (4 MiB)");
    }

    @Test
    void textOverTheCodePointLimitIsRefused() {
        String yaml = "# " + "x".repeat(GatewayConfigParser.MAX_CODE_POINTS) + "\nlisteners: []\n";
        assertThatThrownBy(() -> parser.parse(yaml, "long.yaml")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("long.yaml").hasMessageContaining("code points");
    }

    @Test
    void aValueWithLineBreaksStaysOnOneLineInTheMessage() {
        assertThatThrownBy(() -> parser.parse("\"a\\nb\"", "s.yaml")).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").contains("a\\nb"));
    }
}
