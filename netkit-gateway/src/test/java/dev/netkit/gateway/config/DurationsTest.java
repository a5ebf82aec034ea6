package dev.netkit.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({"7ns, 7", "10us, 10000", "250ms, 250000000", "2s, 2000000000", "1.5s, 1500000000", "1m, 60000000000",
            "1h, 3600000000000", "0s, 0", "' 3ms ', 3000000"})
    void parsesANumberAndAUnit(String text, long nanos) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    @ParameterizedTest(name = "'{0}'")
    @ValueSource(strings = {"5", "5 s", "s", "-1s", "1d", "1m30s", "1e3ms", ""})
    void refusesAnythingElse(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a duration (expected " + Durations.FORMS + ")");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"0, 0s", "1, 1ns", "1000, 1us", "1500000, 1500us", "1500000000, 1500ms", "90000000000, 90s",
            "7200000000000, 2h"})
    void formatsExactlyInTheLargestUnitThatDivides(long nanos, String text) {
        assertThat(Durations.format(Duration.ofNanos(nanos))).isEqualTo(text);
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofNanos(nanos));
    }
}
