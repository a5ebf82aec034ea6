package dev.netkit.core.event;

import dev.netkit.core.endpoint.Endpoint;

/**
 * An attempt of a request was answered. Per request: delivered only to listeners that subscribed
 * to this type.
 *
 * @param nanoTime     {@link System#nanoTime()} when the response arrived
 * @param endpoint     the endpoint that answered
 * @param latencyNanos from the attempt's send (or a retry's dispatch) to the response
 */
public record ResponseReceived(long nanoTime, Endpoint endpoint, long latencyNanos) implements NetkitEvent {
    @Override
    public boolean perRequest() {
        return true;
    }
}
