package dev.netkit.cli.demo;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.ErrorKind;
import dev.netkit.netty.client.RequestObserver;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts a broker's failed attempts per endpoint: those it sent again to another endpoint
 * ({@code retried}: never written, so safe to resend) and those that failed for good
 * ({@code lost}: written, or out of retries). Given to the demo's gateway, it tells how many
 * requests the killed backend took down with it. Thread-safe; an attempt costs a map lookup.
 */
public final class FailureTally implements RequestObserver {
    private final Map<Endpoint, LongAdder> lost = new ConcurrentHashMap<>();
    private final Map<Endpoint, LongAdder> retried = new ConcurrentHashMap<>();

    @Override
    public void attemptFinished(Endpoint endpoint, long latencyNanos, ErrorKind failure, boolean wasRetried) {
        if (failure != null) {
            (wasRetried ? retried : lost).computeIfAbsent(endpoint, e -> new LongAdder()).increment();
        }
    }

    /** Requests that failed for good on {@code endpoint}. */
    public long lost(Endpoint endpoint) {
        LongAdder n = lost.get(endpoint);
        return n == null ? 0 : n.sum();
    }

    /** Requests that failed for good, on every endpoint. */
    public long lost() {
        return lost.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Attempts on {@code endpoint} that failed and were sent again to another endpoint. */
    public long retried(Endpoint endpoint) {
        LongAdder n = retried.get(endpoint);
        return n == null ? 0 : n.sum();
    }
}
