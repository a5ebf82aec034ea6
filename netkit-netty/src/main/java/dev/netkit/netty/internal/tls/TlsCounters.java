package dev.netkit.netty.internal.tls;

import dev.netkit.netty.tls.TlsFailure;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** TLS counters of one server (or broker): handshakes, failures by reason, reloads. Thread-safe. */
public final class TlsCounters {
    public final LongAdder handshakes = new LongAdder();
    public final LongAdder reloads = new LongAdder();
    public final LongAdder reloadFailures = new LongAdder();
    private final Map<TlsFailure, LongAdder> failures = new EnumMap<>(TlsFailure.class);

    public TlsCounters() {
        for (TlsFailure f : TlsFailure.values()) {
            failures.put(f, new LongAdder());
        }
    }

    public void failed(TlsFailure reason) {
        failures.get(reason).increment();
    }

    public long failures(TlsFailure reason) {
        return failures.get(reason).sum();
    }

    /** Every reason's label with its count, zeros included, in the enum's order. */
    public Map<String, Long> failuresByLabel() {
        Map<String, Long> out = new LinkedHashMap<>();
        failures.forEach((k, v) -> out.put(k.label(), v.sum()));
        return out;
    }
}
