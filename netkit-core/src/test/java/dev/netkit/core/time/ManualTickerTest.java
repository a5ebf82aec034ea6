package dev.netkit.core.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ManualTickerTest {
    @Test
    void movesOnlyWhenAdvancedAndDifferencesSurviveOverflow() {
        ManualTicker t = new ManualTicker();
        long start = t.nanoTime();
        assertThat(t.nanoTime()).isEqualTo(start);
        t.advance(Duration.ofDays(2)); // crosses Long.MAX_VALUE: only differences matter
        assertThat(t.nanoTime() - start).isEqualTo(Duration.ofDays(2).toNanos());
        assertThatThrownBy(() -> t.advance(Duration.ofSeconds(-1))).hasMessageContaining("time never goes back");
        assertThat(Ticker.system().nanoTime()).isPositive().isNotEqualTo(start);
    }
}
