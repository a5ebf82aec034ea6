package dev.netkit.core.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netkit.core.time.ManualTicker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Several buckets charged all-or-nothing, and the bounded per-key table. */
class LimitChainTest {
    private final ManualTicker clock = new ManualTicker();
    private final TokenBucket perConnection = new TokenBucket(new RateLimit("per connection", 100, 5), clock);
    private final TokenBucket global = new TokenBucket(new RateLimit("global", 100, 3), clock);
    private final LimitChain chain = new LimitChain(List.of(perConnection, global));

    @Test
    void aRefusalLaterInTheChainRollsBackTheEarlierReservations() {
        assertThat(chain.tryAcquire(3)).isEqualTo(LimitChain.GRANTED);
        assertThat(chain.tryAcquire(1)).as("the global bucket refuses").isEqualTo(1);
        assertThat(perConnection.available()).as("its token came back").isEqualTo(2);
        assertThat(global.available()).isZero();
    }

    @Test
    void shapingWaitsForTheSlowestBucketAndRollsBackARefusal() {
        assertThat(chain.acquireOrDelay(3, 0)).isZero();
        long wait = chain.acquireOrDelay(2, Duration.ofMillis(100).toNanos());
        assertThat(wait).as("the global bucket owes 2 tokens at 100/s").isEqualTo(20_000_000);
        assertThat(chain.acquireOrDelay(10, Duration.ofMillis(50).toNanos())).isEqualTo(TokenBucket.REFUSED);
        clock.advance(Duration.ofMillis(20));
        assertThat(perConnection.available()).as("the refused 10 were given back; 2 of 5 spent then 2 earned").isEqualTo(2);
        assertThat(global.available()).isZero();
    }

    @Test
    void aChargeLargerThanAnyBurstIsAClearError() {
        assertThatThrownBy(() -> chain.tryAcquire(4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("global: 4 tokens requested at once exceed the burst of 3");
        assertThat(perConnection.available()).isEqualTo(5);
        assertThatThrownBy(() -> new LimitChain(List.of())).hasMessage("buckets: none (expected: at least one)");
    }

    @Test
    void tableIsBoundedAndForgetsFullBuckets() {
        BucketTable<String> table = new BucketTable<>(new RateLimit("per client ip", 10, 2), 2, clock);
        TokenBucket a = table.bucket("10.0.0.1");
        assertThat(a.tryAcquire(2)).isTrue();
        assertThat(table.bucket("10.0.0.1")).isSameAs(a);
        assertThat(table.bucket("10.0.0.2")).isNotNull();
        assertThat(table.bucket("10.0.0.3")).as("full table; 10.0.0.2's bucket is full so a forced sweep frees it")
                .isNotNull();
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.bucket("10.0.0.4")).as("10.0.0.1 still refilling, 10.0.0.3 full: 10.0.0.3 is forgotten")
                .isNotNull();
        assertThat(table.bucket("10.0.0.1").tryAcquire(1)).as("still its old, empty bucket").isFalse();
        table.bucket("10.0.0.4").tryAcquire(2);
        assertThat(table.bucket("10.0.0.5")).as("both tracked keys are refilling: refused").isNull();
        clock.advance(Duration.ofSeconds(1));
        assertThat(table.bucket("10.0.0.5")).isNotNull();
        assertThat(table.size()).isLessThanOrEqualTo(2);
        assertThatThrownBy(() -> new BucketTable<>(new RateLimit("x", 1, 1), 0, clock)).hasMessage("maxKeys: 0 (expected: > 0)");
    }
}
