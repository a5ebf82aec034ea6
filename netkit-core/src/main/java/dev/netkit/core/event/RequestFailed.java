package dev.netkit.core.event;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.ErrorKind;

/**
 * An attempt of a request failed. Per request: delivered only to listeners that subscribed to this
 * type. A request retried on another endpoint reports one of these per failed attempt, with
 * {@code retried} true on all but (possibly) the last.
 *
 * @param nanoTime     {@link System#nanoTime()} when it failed
 * @param endpoint     the endpoint the attempt was sent to
 * @param kind         why it failed
 * @param latencyNanos from the attempt's send to its failure
 * @param retried      whether the request was sent again to another endpoint
 */
public record RequestFailed(long nanoTime, Endpoint endpoint, ErrorKind kind, long latencyNanos, boolean retried)
        implements NetkitEvent {
    @Override
    public boolean perRequest() {
        return true;
    }
}
