package dev.netkit.core.pool;

import dev.netkit.core.time.Scheduler;
import java.util.concurrent.atomic.AtomicBoolean;

/** One dial in progress; settles exactly once (connected, failed or timed out). */
final class Dial<C> {
    private final Dialer<C> dialer;
    private final AtomicBoolean settled = new AtomicBoolean();
    volatile Scheduler.Cancellable timer;
    volatile PoolEntry<C> entry;
    volatile boolean closedEarly;
    /** {@link DialBackoff#epochLocked()} when the dial was planned. */
    final long epoch;

    Dial(Dialer<C> dialer, long epoch) {
        this.dialer = dialer;
        this.epoch = epoch;
    }

    boolean settle() {
        return settled.compareAndSet(false, true);
    }

    private final AtomicBoolean closeReported = new AtomicBoolean();

    /**
     * The connector's close callback. Writes {@code closedEarly} before reading {@code entry},
     * while {@link Dialer#dialSucceeded} writes {@code entry} before reading {@code closedEarly}: at
     * least one of them sees the other, and {@link #reportClose} runs the removal once.
     */
    void peerClosed() {
        closedEarly = true;
        if (entry != null) {
            reportClose();
        }
    }

    void reportClose() {
        PoolEntry<C> e = entry;
        if (e != null && closeReported.compareAndSet(false, true)) {
            dialer.peerClosed(e, epoch);
        }
    }
}
