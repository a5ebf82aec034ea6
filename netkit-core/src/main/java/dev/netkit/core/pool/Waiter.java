package dev.netkit.core.pool;

import dev.netkit.core.time.Scheduler;
import java.util.concurrent.CompletableFuture;

/** One waiting acquirer. */
final class Waiter<C> {
    final CompletableFuture<Lease<C>> future = new CompletableFuture<>();
    final long since;
    /** Its class of service (an index into the pool's QosPolicy); 0 without classes. */
    final int qosClass;
    volatile Scheduler.Cancellable timer;

    Waiter(long since, int qosClass) {
        this.since = since;
        this.qosClass = qosClass;
    }
}
