package dev.netkit.cli.load.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ScalesTest {
    @Test
    void percentilesSitOneDecadeApartAt90_99_999() {
        PercentileScale s = new PercentileScale(5);

        assertThat(s.decade(0)).isZero();
        assertThat(s.decade(0.5)).isCloseTo(Math.log10(2), within(1e-12));
        assertThat(s.decade(0.9)).isCloseTo(1, within(1e-9));
        assertThat(s.decade(0.99)).isCloseTo(2, within(1e-9));
        assertThat(s.decade(0.999)).isCloseTo(3, within(1e-9));
        assertThat(s.decade(0.9999)).isCloseTo(4, within(1e-9));
        assertThat(s.fraction(0.999)).isCloseTo(0.6, within(1e-9));
    }

    @Test
    void oneHundredPercentAndBeyondTheLastDecadeAreDrawnAtTheEnd() {
        PercentileScale s = new PercentileScale(3);

        assertThat(s.decade(1.0)).isEqualTo(3);
        assertThat(s.decade(0.999999)).as("past the axis").isEqualTo(3);
        assertThat(s.fraction(1.0)).isEqualTo(1);
        assertThat(s.decade(-0.1)).isZero();
    }

    @Test
    void labelsAreTheUsualPercentiles() {
        assertThat(PercentileScale.label(0)).isEqualTo("0%");
        assertThat(PercentileScale.label(1)).isEqualTo("90%");
        assertThat(PercentileScale.label(2)).isEqualTo("99%");
        assertThat(PercentileScale.label(3)).isEqualTo("99.9%");
        assertThat(PercentileScale.label(5)).isEqualTo("99.999%");
    }

    @Test
    void theAxisReachesTheLastFinitePercentileOfTheCountCappedAtSevenDecades() {
        assertThat(PercentileScale.forCount(0).decades()).isEqualTo(1);
        assertThat(PercentileScale.forCount(10).decades()).isEqualTo(1);
        assertThat(PercentileScale.forCount(1_000).decades()).isEqualTo(3);
        assertThat(PercentileScale.forCount(1_001).decades()).isEqualTo(4);
        assertThat(PercentileScale.forCount(1_137_444).decades()).isEqualTo(7);
        assertThat(PercentileScale.forCount(Long.MAX_VALUE).decades()).isEqualTo(7);
        assertThatThrownBy(() -> new PercentileScale(0)).hasMessageContaining("decades: 0");
    }

    @Test
    void linearAxesEndOnARoundNumberWithOneTwoFiveSteps() {
        NiceScale s = NiceScale.covering(237_630, 6);
        assertThat(s.step()).isEqualTo(50_000);
        assertThat(s.max()).isEqualTo(250_000);
        assertThat(s.steps()).isEqualTo(5);
        assertThat(s.fraction(125_000)).isEqualTo(0.5);

        assertThat(NiceScale.covering(8.56, 6)).isEqualTo(new NiceScale(10, 2));
        assertThat(NiceScale.covering(0.9, 6).max()).isCloseTo(1.0, within(1e-12));
        assertThat(NiceScale.covering(100, 5)).as("an exact multiple is not rounded up").isEqualTo(new NiceScale(100, 20));
        assertThat(NiceScale.covering(0, 6).max()).as("empty data still gets an axis").isEqualTo(1);
    }
}
