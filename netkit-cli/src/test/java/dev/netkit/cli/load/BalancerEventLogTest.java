package dev.netkit.cli.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.endpoint.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class BalancerEventLogTest {
    private static final Endpoint A = new Endpoint("127.0.0.1", 7001);

    @Test
    void recordsEachKindOfEventWithItsDetail() {
        BalancerEventLog log = new BalancerEventLog(10);
        log.ejected(A, "5 consecutive failures", Duration.ofMillis(1500));
        log.returned(A, "ejection of 1500 ms ended");
        log.ejectionSkipped(A, "max share");
        log.healthChanged(A, false, "check failed");
        log.breakerChanged(A, "CLOSED", "OPEN", "50% failed");
        log.panicChanged(true, 1, 3);
        log.panicChanged(false, 3, 3);

        assertThat(log.events()).extracting(BalancerEvent::type)
                .containsExactly("ejected", "returned", "ejection_skipped", "unhealthy", "breaker", "panic", "panic_over");
        assertThat(log.events().getFirst().detail()).isEqualTo("5 consecutive failures; for 1500 ms");
        assertThat(log.events().get(4).detail()).isEqualTo("CLOSED -> OPEN: 50% failed");
        assertThat(log.events().get(5).endpoint()).as("panic concerns no single endpoint").isNull();
        assertThat(log.events()).extracting(BalancerEvent::nanoTime).isSorted();
        assertThat(log.dropped()).isZero();
    }

    @Test
    void keepsAtMostItsCapacityAndCountsTheRestUnderConcurrentWriters() throws InterruptedException {
        BalancerEventLog log = new BalancerEventLog(1000);
        int threads = 4;
        int each = 1000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            writers.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    log.ejected(A, "flapping", Duration.ofSeconds(1));
                }
            }));
        }
        go.countDown();
        for (Thread w : writers) {
            w.join(10_000);
            assertThat(w.isAlive()).isFalse();
        }

        assertThat(log.events()).hasSize(1000);
        assertThat(log.dropped()).isEqualTo(threads * each - 1000L);
    }
}
