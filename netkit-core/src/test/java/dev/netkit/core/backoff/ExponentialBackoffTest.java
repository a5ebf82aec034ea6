package dev.netkit.core.backoff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExponentialBackoffTest {
    @Test
    void growsGeometricallyUpToTheCapWithoutJitter() {
        ExponentialBackoff b = new ExponentialBackoff(Duration.ofMillis(50), 2.0, 0.0, Duration.ofMillis(300));
        Random r = new Random(1);
        assertThat(b.delay(1, r)).isEqualTo(Duration.ofMillis(50));
        assertThat(b.delay(2, r)).isEqualTo(Duration.ofMillis(100));
        assertThat(b.delay(3, r)).isEqualTo(Duration.ofMillis(200));
        assertThat(b.delay(4, r)).isEqualTo(Duration.ofMillis(300));
        assertThat(b.delay(1_000, r)).as("no overflow far past the cap").isEqualTo(Duration.ofMillis(300));
    }

    @Test
    void jitterSpreadsDelaysWithinItsBoundsAndSeedsReproduceThem() {
        long seed = System.nanoTime();
        System.out.println("ExponentialBackoffTest seed=" + seed);
        ExponentialBackoff grpc = ExponentialBackoff.grpcDefaults();
        Random random = new Random(seed);
        Set<Duration> seen = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            Duration d = grpc.delay(1, random);
            assertThat(d).as("seed %d", seed).isBetween(Duration.ofMillis(800), Duration.ofMillis(1_200));
            seen.add(d);
        }
        assertThat(seen).as("a thousand clients do not retry at the same instant").hasSizeGreaterThan(900);
        assertThat(grpc.delay(30, new Random(seed))).isBetween(Duration.ofSeconds(96), Duration.ofSeconds(144));
        assertThat(grpc.delay(3, new Random(seed))).isEqualTo(grpc.delay(3, new Random(seed)));
    }

    @Test
    void rejectsNonsenseNamingTheField() {
        assertThatThrownBy(() -> new ExponentialBackoff(Duration.ZERO, 2, 0, Duration.ofSeconds(1)))
                .hasMessage("initial: PT0S (expected: > 0)");
        assertThatThrownBy(() -> new ExponentialBackoff(Duration.ofSeconds(1), 0.5, 0, Duration.ofSeconds(1)))
                .hasMessage("multiplier: 0.5 (expected: >= 1)");
        assertThatThrownBy(() -> new ExponentialBackoff(Duration.ofSeconds(1), 2, 1.0, Duration.ofSeconds(1)))
                .hasMessage("jitter: 1.0 (expected: 0 <= jitter < 1)");
        assertThatThrownBy(() -> new ExponentialBackoff(Duration.ofSeconds(2), 2, 0, Duration.ofSeconds(1)))
                .hasMessage("max: PT1S is below initial PT2S");
        ExponentialBackoff b = ExponentialBackoff.grpcDefaults();
        assertThatThrownBy(() -> b.delay(0, new Random())).hasMessage("attempt: 0 (expected: >= 1)");
    }
}
