package dev.netkit.core.jfr;

import dev.netkit.core.event.BreakerStateChanged;
import dev.netkit.core.event.ConnectionRefused;
import dev.netkit.core.event.EndpointEjected;
import dev.netkit.core.event.LimitReached;
import dev.netkit.core.event.NetkitEvent;
import dev.netkit.core.event.PoolExhausted;
import dev.netkit.core.event.SlowRequest;
import dev.netkit.core.event.TlsHandshakeFailed;

/**
 * Commits the JFR twin of a {@link NetkitEvent}, for the event types that have one. Each method
 * allocates a small event object and returns at once unless a recording has its type enabled
 * ({@code shouldCommit()}), so the emit sites (rare events only) need no guard.
 */
public final class NetkitJfr {
    private NetkitJfr() {}

    /** Commits {@code event}'s JFR twin if it has one and a recording wants it. */
    public static void commit(NetkitEvent event) {
        switch (event) {
            case PoolExhausted e -> {
                PoolExhaustedEvent j = new PoolExhaustedEvent();
                if (j.shouldCommit()) {
                    j.endpoint = e.endpoint().toString();
                    j.cause = e.cause();
                    j.state = e.state();
                    j.commit();
                }
            }
            case EndpointEjected e -> {
                EndpointEjectedEvent j = new EndpointEjectedEvent();
                if (j.shouldCommit()) {
                    j.endpoint = e.endpoint().toString();
                    j.reason = e.reason();
                    j.ejectionDuration = e.duration().toNanos();
                    j.commit();
                }
            }
            case BreakerStateChanged e -> {
                BreakerStateChangedEvent j = new BreakerStateChangedEvent();
                if (j.shouldCommit()) {
                    j.endpoint = e.endpoint().toString();
                    j.from = e.from().name();
                    j.to = e.to().name();
                    j.reason = e.reason();
                    j.commit();
                }
            }
            case SlowRequest e -> {
                SlowRequestEvent j = new SlowRequestEvent();
                if (j.shouldCommit()) {
                    j.endpoint = e.endpoint().toString();
                    j.latency = e.latencyNanos();
                    j.threshold = e.thresholdNanos();
                    j.failure = e.failure() == null ? "" : e.failure().label();
                    j.commit();
                }
            }
            case LimitReached e -> {
                LimitReachedEvent j = new LimitReachedEvent();
                if (j.shouldCommit()) {
                    j.endpoint = e.endpoint() == null ? "" : e.endpoint().toString(); // null: a broker's own limit
                    j.limit = e.limit().name();
                    j.value = e.value();
                    j.current = e.current();
                    j.commit();
                }
            }
            case ConnectionRefused e -> {
                ConnectionRefusedEvent j = new ConnectionRefusedEvent();
                if (j.shouldCommit()) {
                    j.endpoint = e.endpoint().toString();
                    j.reason = e.reason();
                    j.commit();
                }
            }
            case TlsHandshakeFailed e -> {
                TlsHandshakeFailedEvent j = new TlsHandshakeFailedEvent();
                if (j.shouldCommit()) {
                    j.endpoint = e.endpoint().toString();
                    j.side = e.side().name();
                    j.reason = e.reason();
                    j.detail = e.detail();
                    j.commit();
                }
            }
            default -> {
                // no JFR twin: connection and per-request events are too frequent for a recording
            }
        }
    }
}
