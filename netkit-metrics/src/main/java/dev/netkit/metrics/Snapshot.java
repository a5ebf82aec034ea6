package dev.netkit.metrics;

import java.util.function.Supplier;

/**
 * A stats snapshot taken at most once per {@code ttlNanos}: the dozens of pull meters read in one
 * scrape share one snapshot (consistent with each other, and one stats call instead of dozens).
 * Racy by design: two threads may both take a snapshot; either result is fine.
 */
final class Snapshot<T> implements Supplier<T> {
    private record Taken<T>(long atNanos, T value) {}

    private final Supplier<T> source;
    private final long ttlNanos;
    private volatile Taken<T> last;

    Snapshot(Supplier<T> source, long ttlNanos) {
        this.source = source;
        this.ttlNanos = ttlNanos;
    }

    @Override
    public T get() {
        long now = System.nanoTime();
        Taken<T> taken = last;
        if (taken == null || now - taken.atNanos() >= ttlNanos) {
            taken = new Taken<>(now, source.get());
            last = taken;
        }
        return taken.value();
    }
}
