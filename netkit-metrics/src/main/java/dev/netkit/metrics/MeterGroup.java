package dev.netkit.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * Pull meters registered together and removed together. Each reads a {@link DoubleSupplier} at
 * scrape time. Micrometer holds a meter's state object weakly (and a function counter's always
 * so): the state object here is the {@code anchor}, the server or broker measured, so the meters
 * read NaN once it is garbage, never sooner. Gauges hold it strongly.
 */
final class MeterGroup {
    private final MeterRegistry registry;
    private final Tags tags;
    private final Object anchor;
    private final List<Meter> meters = new ArrayList<>();

    MeterGroup(MeterRegistry registry, Tags tags, Object anchor) {
        this.registry = registry;
        this.tags = tags;
        this.anchor = anchor;
    }

    /** A group for one endpoint: same registry and anchor, with {@code endpoint} added to the tags. */
    MeterGroup forEndpoint(String endpoint) {
        return new MeterGroup(registry, tags.and("endpoint", endpoint), anchor);
    }

        /** A gauge: a value that goes up and down. */
    synchronized void gauge(String name, String description, DoubleSupplier value, String... tagPairs) {
        meters.add(Gauge.builder(name, anchor, a -> value.getAsDouble())
                .description(description).tags(tags).tags(tagPairs).strongReference(true).register(registry));
    }

    /** A monotonic total since start, Prometheus {@code _total}. */
    synchronized void counter(String name, String description, DoubleSupplier value, String... tagPairs) {
        meters.add(FunctionCounter.builder(name, anchor, a -> value.getAsDouble())
                .description(description).tags(tags).tags(tagPairs).register(registry));
    }

    /** A gauge in seconds (Prometheus {@code _seconds}) over a value in {@code unit}. */
    synchronized void time(String name, String description, TimeUnit unit, DoubleSupplier value, String... tagPairs) {
        meters.add(TimeGauge.builder(name, anchor, unit, a -> value.getAsDouble())
                .description(description).tags(tags).tags(tagPairs).strongReference(true).register(registry));
    }

    /** Removes every meter of the group from the registry. Idempotent. */
    synchronized void removeAll() {
        meters.forEach(registry::remove);
        meters.clear();
    }
}
