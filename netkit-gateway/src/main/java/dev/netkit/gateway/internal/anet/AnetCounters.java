package dev.netkit.gateway.internal.anet;

import dev.netkit.core.error.ErrorKind;
import dev.netkit.core.error.NetkitException;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/** One anet listener's request counters; written by event loops, read by {@link #snapshot}. */
final class AnetCounters {
    final LongAdder requests = new LongAdder();
    final LongAdder answered = new LongAdder();
    final LongAdder noRoute = new LongAdder();
    final LongAdder rateLimited = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder closedClients = new LongAdder();
    private final Map<ErrorKind, LongAdder> failures = new EnumMap<>(ErrorKind.class);
    final LongAdder otherFailures = new LongAdder();

    AnetCounters() {
        for (ErrorKind k : ErrorKind.values()) {
            failures.put(k, new LongAdder());
        }
    }

    void failed(Throwable error) {
        if (error instanceof NetkitException n) {
            failures.get(n.kind()).increment();
        } else {
            otherFailures.increment();
        }
    }

    Map<String, Long> failuresByKind() {
        Map<String, Long> m = new TreeMap<>();
        failures.forEach((k, v) -> {
            long n = v.sum();
            if (n > 0) {
                m.put(k.label(), n);
            }
        });
        if (noRoute.sum() > 0) {
            m.put("no_route", noRoute.sum());
        }
        if (rateLimited.sum() > 0) {
            m.merge("rate_limited", rateLimited.sum(), Long::sum);
        }
        if (otherFailures.sum() > 0) {
            m.put("other", otherFailures.sum());
        }
        return m;
    }
}
