package dev.netkit.metrics;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.ErrorKind;
import dev.netkit.netty.client.RequestObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The broker's {@link RequestObserver}: one {@link Timer} per endpoint and outcome
 * ({@code success} or an {@link ErrorKind} label), with a percentile histogram. The data path
 * costs a map read, an array read and the timer's record; timers are registered on an
 * endpoint's first attempt with an outcome, not per request.
 */
final class LatencyTimers implements RequestObserver {
    static final String NAME = "netkit.client.request";
    private static final int SUCCESS = 0;
    private static final ErrorKind[] KINDS = ErrorKind.values();

    private final MeterRegistry registry;
    private final Tags tags;
    private final ConcurrentHashMap<Endpoint, AtomicReferenceArray<Timer>> timers = new ConcurrentHashMap<>();
    private volatile boolean closed;

    LatencyTimers(MeterRegistry registry, Tags tags) {
        this.registry = registry;
        this.tags = tags;
    }

    @Override
    public void attemptFinished(Endpoint endpoint, long latencyNanos, ErrorKind failure, boolean retried) {
        if (closed) {
            return;
        }
        AtomicReferenceArray<Timer> byOutcome = timers.get(endpoint);
        if (byOutcome == null) {
            byOutcome = timers.computeIfAbsent(endpoint, e -> new AtomicReferenceArray<>(KINDS.length + 1));
        }
        int slot = failure == null ? SUCCESS : failure.ordinal() + 1;
        Timer timer = byOutcome.get(slot);
        if (timer == null) {
            timer = register(endpoint, failure == null ? "success" : failure.label());
            byOutcome.set(slot, timer); // a racing registration gets the same timer back from the registry
        }
        timer.record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    private Timer register(Endpoint endpoint, String outcome) {
        return Timer.builder(NAME)
                .description("Latency of each request attempt, by endpoint and outcome (success or error kind)")
                .tags(tags).tag("endpoint", endpoint.toString()).tag("outcome", outcome)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    /** Removes the timers of endpoints not in {@code keep}. */
    void retain(Set<Endpoint> keep) {
        for (Endpoint endpoint : timers.keySet()) {
            if (!keep.contains(endpoint)) {
                remove(timers.remove(endpoint));
            }
        }
    }

    /** Removes every timer; later attempts are ignored. */
    void close() {
        closed = true;
        timers.values().forEach(this::remove);
        timers.clear();
    }

    private void remove(AtomicReferenceArray<Timer> byOutcome) {
        if (byOutcome == null) {
            return;
        }
        for (int i = 0; i < byOutcome.length(); i++) {
            Timer timer = byOutcome.get(i);
            if (timer != null) {
                registry.remove(timer);
            }
        }
    }
}
