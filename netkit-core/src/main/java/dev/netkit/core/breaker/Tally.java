package dev.netkit.core.breaker;

import java.util.Locale;

/** Counts of outcomes: calls, how many failed, how many were slow. Immutable. */
record Tally(long calls, long failures, long slow) {
    static final Tally EMPTY = new Tally(0, 0, 0);

    /** Failures over calls in [0, 1]; -1 when there are no calls. */
    double failureRate() {
        return calls == 0 ? -1 : (double) failures / calls;
    }

    /** Slow calls over calls in [0, 1]; -1 when there are no calls. */
    double slowRate() {
        return calls == 0 ? -1 : (double) slow / calls;
    }

    /** A rate (a fraction) as a percentage with one decimal, for reasons and messages. */
    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
    }
}
