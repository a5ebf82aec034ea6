package dev.netkit.core.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HealthCheckConfigTest {

    @Test
    void defaultsAreHaproxysWithTenPercentJitterAndStartHealthy() {
        HealthCheckConfig c = HealthCheckConfig.defaults();
        assertThat(c.interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.jitter()).isEqualTo(0.1);
        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.healthyThreshold()).isEqualTo(2);
        assertThat(c.unhealthyThreshold()).isEqualTo(3);
        assertThat(c.initiallyHealthy()).isTrue();
        assertThat(c.toBuilder().build()).isEqualTo(c);
    }

    @Test
    void invalidValuesAreNamedWithTheExpectedRange() {
        assertThatThrownBy(() -> HealthCheckConfig.builder().interval(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("interval: PT0S (expected: > 0)");
        assertThatThrownBy(() -> HealthCheckConfig.builder().timeout(Duration.ofMillis(-1)).build())
                .hasMessage("timeout: PT-0.001S (expected: > 0)");
        assertThatThrownBy(() -> HealthCheckConfig.builder().jitter(1.5).build())
                .hasMessage("jitter: 1.5 (expected: 0..1, a fraction of the interval)");
        assertThatThrownBy(() -> HealthCheckConfig.builder().jitter(Double.NaN).build())
                .hasMessageStartingWith("jitter: NaN");
        assertThatThrownBy(() -> HealthCheckConfig.builder().healthyThreshold(0).build())
                .hasMessage("healthyThreshold: 0 (expected: 1..1000)");
        assertThatThrownBy(() -> HealthCheckConfig.builder().unhealthyThreshold(1001).build())
                .hasMessage("unhealthyThreshold: 1001 (expected: 1..1000)");
        assertThatThrownBy(() -> HealthCheckConfig.builder().interval(null).build())
                .isInstanceOf(NullPointerException.class).hasMessage("interval");
    }
}
