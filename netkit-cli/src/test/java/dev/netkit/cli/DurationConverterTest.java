package dev.netkit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {

    @ParameterizedTest(name = "{0} = {1} ns")
    @CsvSource({
            "250us, 250000",
            "500ms, 500000000",
            "5s,    5000000000",
            "1.5s,  1500000000",
            "2m,    120000000000",
            "1h,    3600000000000",
    })
    void parsesEveryUnit(String text, long nanos) {
        assertThat(DurationConverter.parse(text)).isEqualTo(Duration.ofNanos(nanos));
        assertThat(new DurationConverter().convert(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    @ParameterizedTest(name = "\"{0}\" is rejected")
    @ValueSource(strings = {"5", "abc", "-1s", "5 sec", "", "1.s", "s"})
    void rejectsWithAMessageNamingTheValue(String text) {
        assertThatThrownBy(() -> new DurationConverter().convert(text))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining("250us, 500ms, 5s"); // says what would have been accepted
    }

    @Test
    void formatsCompactlyForReports() {
        assertThat(DurationConverter.format(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(DurationConverter.format(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(DurationConverter.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
    }

    @Test
    void formatDoesNotDependOnTheDefaultLocale() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY); // decimal comma
            assertThat(DurationConverter.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
        } finally {
            Locale.setDefault(saved);
        }
    }
}
