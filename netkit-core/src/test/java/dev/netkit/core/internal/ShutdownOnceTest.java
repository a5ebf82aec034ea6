package dev.netkit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ShutdownOnceTest {
    @Test
    void runsTheActionOnceForEveryRacingCaller() throws Exception {
        ShutdownOnce once = new ShutdownOnce("test-stop");
        AtomicInteger runs = new AtomicInteger();
        List<CompletableFuture<CompletableFuture<Void>>> callers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            callers.add(CompletableFuture.supplyAsync(() -> once.run(runs::incrementAndGet)));
        }
        CompletableFuture<Void> first = callers.get(0).get(5, TimeUnit.SECONDS);
        for (var c : callers) {
            assertThat(c.get(5, TimeUnit.SECONDS)).isSameAs(first);
        }
        first.get(5, TimeUnit.SECONDS);
        assertThat(runs.get()).isEqualTo(1);
        assertThat(once.requested()).isTrue();
    }

    @Test
    void aFailingShutdownFailsTheFuture() {
        ShutdownOnce once = new ShutdownOnce("test-stop");
        CompletableFuture<Void> f = once.run(() -> {
            throw new IllegalStateException("boom");
        });
        assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasRootCauseMessage("boom");
    }
}
