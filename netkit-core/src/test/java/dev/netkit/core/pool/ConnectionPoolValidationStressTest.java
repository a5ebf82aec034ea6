package dev.netkit.core.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.time.Scheduler;
import dev.netkit.core.time.Ticker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The validation cap under real concurrency: validations complete on other threads while the
 * maintenance pass (every nanosecond, so back to back) starts new ones. Over tens of thousands of
 * validations, no more than {@code max(1, share × idle)} may ever run at once, and validation must
 * keep going (a count that drifted upward would stop it).
 */
class ConnectionPoolValidationStressTest {

    @Test
    void theValidationCapHoldsWhileValidationsCompleteOnOtherThreads() throws Exception {
        ScheduledThreadPoolExecutor timer = ThreadScheduler.timer("test-pool-timer");
        Scheduler scheduler = ThreadScheduler.on(timer);
        ExecutorService completer = Executors.newFixedThreadPool(2, r -> Thread.ofPlatform().daemon().unstarted(r));
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        AtomicInteger validations = new AtomicInteger();
        Validator<FakeConnector.Conn> validator = c -> {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            validations.incrementAndGet();
            return CompletableFuture.supplyAsync(() -> {
                concurrent.decrementAndGet(); // before the pool hears of it: never over-counts
                return true;
            }, completer);
        };
        int n = 64;
        double share = 0.5;
        ConnectionPool<FakeConnector.Conn> pool = ConnectionPool.builder(Endpoint.parse("10.0.0.1:1"), new FakeConnector())
                .validator(validator)
                .config(PoolConfig.builder().minIdle(n).maxTotal(n).validationShare(share)
                        .validationInterval(Duration.ofNanos(1)).maintenanceInterval(Duration.ofNanos(1))
                        .idleTimeout(Duration.ZERO).maxLifetime(Duration.ZERO).build())
                .time(Ticker.system(), scheduler).build();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> validations.get() >= 100_000);
            int before = validations.get();
            await("validation keeps going").atMost(Duration.ofSeconds(5)).until(() -> validations.get() > before + 1_000);
        } finally {
            pool.close();
            timer.shutdown();
            completer.shutdown();
            assertThat(timer.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
            assertThat(completer.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(maxConcurrent.get()).as("at most share x idle = %d at once", (int) (share * n))
                .isBetween(1, (int) (share * n));
        PoolStats s = pool.stats();
        assertThat(s.validating()).isZero();
        assertThat(s.closed(CloseReason.POOL_CLOSED)).isEqualTo(n);
        assertThat(s.closed(CloseReason.VALIDATION)).isZero();
    }
}
