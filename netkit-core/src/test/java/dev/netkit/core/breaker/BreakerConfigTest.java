package dev.netkit.core.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netkit.core.breaker.BreakerConfig.WindowType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BreakerConfigTest {
    @Test
    void defaultsAreTheDocumentedOnes() {
        BreakerConfig c = BreakerConfig.defaults();
        assertThat(c).isEqualTo(new BreakerConfig(true, 0.5, 1.0, Duration.ofSeconds(2), WindowType.TIME_BASED, 10,
                20, Duration.ofSeconds(10), 10));
        assertThat(c.toBuilder().build()).isEqualTo(c);
        assertThat(BreakerConfig.disabled().enabled()).isFalse();
        assertThat(c.toString()).contains("failureRateThreshold=0.5", "waitInOpen=PT10S", "windowType=TIME_BASED");
    }

    @Test
    void rejectsNonsenseNamingTheFieldTheValueAndTheRange() {
        assertThatThrownBy(() -> BreakerConfig.builder().failureRateThreshold(0).build())
                .hasMessage("failureRateThreshold: 0.0 (expected: > 0 and <= 1)");
        assertThatThrownBy(() -> BreakerConfig.builder().failureRateThreshold(50).build())
                .hasMessage("failureRateThreshold: 50.0 (expected: > 0 and <= 1)");
        assertThatThrownBy(() -> BreakerConfig.builder().slowCallRateThreshold(Double.NaN).build())
                .hasMessage("slowCallRateThreshold: NaN (expected: > 0 and <= 1)");
        assertThatThrownBy(() -> BreakerConfig.builder().slowCallDuration(Duration.ZERO).build())
                .hasMessage("slowCallDuration: PT0S (expected: > 0)");
        assertThatThrownBy(() -> BreakerConfig.builder().timeWindow(3601).build())
                .hasMessage("windowSize: 3601 (expected: 1..3600)");
        assertThatThrownBy(() -> BreakerConfig.builder().countWindow(0).build())
                .hasMessage("windowSize: 0 (expected: 1..1000000)");
        assertThatThrownBy(() -> BreakerConfig.builder().countWindow(10).build())
                .hasMessage("minimumCalls: 20 (expected: <= windowSize 10, as a COUNT_BASED window never holds more)");
        assertThatThrownBy(() -> BreakerConfig.builder().minimumCalls(0).build())
                .hasMessage("minimumCalls: 0 (expected: > 0)");
        assertThatThrownBy(() -> BreakerConfig.builder().waitInOpen(Duration.ofSeconds(-1)).build())
                .hasMessage("waitInOpen: PT-1S (expected: > 0)");
        assertThatThrownBy(() -> BreakerConfig.builder().permittedCallsInHalfOpen(0).build())
                .hasMessage("permittedCallsInHalfOpen: 0 (expected: 1..10000)");
        assertThatThrownBy(() -> BreakerConfig.builder().windowType(null).build()).hasMessage("windowType");
        assertThat(BreakerConfig.builder().countWindow(20).build().windowType()).isEqualTo(WindowType.COUNT_BASED);
    }
}
