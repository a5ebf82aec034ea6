package dev.netkit.gateway.internal.cluster;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.ErrorKind;
import dev.netkit.netty.client.RequestObserver;

/**
 * A {@link RequestObserver} that can be given its target after the broker exists: a cluster's
 * broker is made on its first request, while the admin server's per-endpoint latency timers are
 * bound at its next scrape. Until then, and after {@link #observeWith} null, attempts cost one
 * volatile read. Also calls the gateway-wide observer it wraps (the hooks', e.g. the demo's).
 */
final class LateRequestObserver implements RequestObserver {
    private final RequestObserver always; // may be null
    private volatile RequestObserver late;

    LateRequestObserver(RequestObserver always) {
        this.always = always;
    }

    void observeWith(RequestObserver observer) {
        if (late != observer) {
            late = observer;
        }
    }

    @Override
    public void attemptFinished(Endpoint endpoint, long latencyNanos, ErrorKind failure, boolean retried) {
        if (always != null) {
            always.attemptFinished(endpoint, latencyNanos, failure, retried);
        }
        RequestObserver target = late;
        if (target != null) {
            target.attemptFinished(endpoint, latencyNanos, failure, retried);
        }
    }
}
