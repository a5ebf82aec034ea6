package dev.netkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TimeBucketsTest {
    private static final long START = Long.MAX_VALUE - 1_000; // readings wrap past Long.MAX_VALUE

    @Test
    void sumsPerCounterAndDropsBucketsAsTheyLeave() {
        TimeBuckets b = new TimeBuckets(2, 4, 100, START);
        b.add(0, 5);
        b.add(1, 1);
        b.advance(START + 150);
        b.add(0, 2);
        assertThat(b.total(0)).isEqualTo(7);
        assertThat(b.total(1)).isEqualTo(1);
        assertThat(b.spanNanos(START + 150)).as("3 full buckets + 50 ns").isEqualTo(350);
        assertThat(b.nextBucketAt()).isEqualTo(START + 200);
        b.advance(START + 399);
        assertThat(b.total(0)).isEqualTo(7);
        b.advance(START + 400); // bucket 0 leaves
        assertThat(b.total(0)).isEqualTo(2);
        assertThat(b.total(1)).isZero();
        b.advance(START + 100); // a stale reading changes nothing
        assertThat(b.total(0)).isEqualTo(2);
        b.advance(START + 10_000); // longer than the ring
        assertThat(b.total(0)).isZero();
        b.add(0, 3);
        b.advance(START + 10_100);
        assertThat(b.total(0)).isEqualTo(3);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new TimeBuckets(1, 0, 1, 0)).hasMessage("buckets: 0 (expected: > 0)");
        assertThatThrownBy(() -> new TimeBuckets(1, 1, 0, 0)).hasMessage("bucketNanos: 0 (expected: > 0)");
    }
}
