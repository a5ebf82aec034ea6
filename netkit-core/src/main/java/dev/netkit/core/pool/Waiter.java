package dev.netkit.core.pool;

import dev.netkit.core.time.Scheduler;
import java.util.concurrent.CompletableFuture;

/** One waiting acquirer. */
final class Waiter<C> {
    final CompletableFuture<Lease<C>> future = new CompletableFuture<>();
    final long since;
    volatile Scheduler.Cancellable timer;

    Waiter(long since) {
        this.since = since;
    }
}
