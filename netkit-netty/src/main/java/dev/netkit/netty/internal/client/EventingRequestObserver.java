package dev.netkit.netty.internal.client;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.ErrorKind;
import dev.netkit.core.event.RequestFailed;
import dev.netkit.core.event.ResponseReceived;
import dev.netkit.core.event.SlowRequest;
import dev.netkit.netty.client.RequestObserver;
import dev.netkit.netty.internal.event.Emitter;

/**
 * Turns attempts into events: a {@link SlowRequest} (JFR and bus) when one reaches the threshold,
 * and {@link ResponseReceived} / {@link RequestFailed} only while a bus listener asked for
 * per-request events. Otherwise an attempt costs a comparison and a volatile read, and allocates
 * nothing. Passes every attempt on to the user's observer, if any.
 */
public final class EventingRequestObserver implements RequestObserver {
    private final Emitter emitter;
    private final long slowNanos; // 0: off
    private final RequestObserver next; // null: none

    public EventingRequestObserver(Emitter emitter, long slowNanos, RequestObserver next) {
        this.emitter = emitter;
        this.slowNanos = slowNanos;
        this.next = next;
    }

    @Override
    public void attemptFinished(Endpoint endpoint, long latencyNanos, ErrorKind failure, boolean retried) {
        if (slowNanos > 0 && latencyNanos >= slowNanos) {
            emitter.rare(new SlowRequest(System.nanoTime(), endpoint, latencyNanos, slowNanos, failure));
        }
        if (emitter.requestsWanted()) {
            long now = System.nanoTime();
            emitter.bus(failure == null ? new ResponseReceived(now, endpoint, latencyNanos)
                    : new RequestFailed(now, endpoint, failure, latencyNanos, retried));
        }
        if (next != null) {
            next.attemptFinished(endpoint, latencyNanos, failure, retried);
        }
    }
}
