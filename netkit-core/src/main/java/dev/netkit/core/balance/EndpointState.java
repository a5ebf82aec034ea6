package dev.netkit.core.balance;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live, mutable side of one endpoint: requests outstanding on it now. Shared by every picker
 * snapshot that lists the endpoint, so a rebuild does not lose counts. Thread-safe.
 */
public final class EndpointState {
    private final WeightedEndpoint endpoint;
    private final AtomicInteger outstanding = new AtomicInteger();

    /** State for {@code endpoint}, with nothing outstanding. */
    public EndpointState(WeightedEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** The endpoint. */
    public WeightedEndpoint endpoint() {
        return endpoint;
    }

    /** Requests sent to this endpoint and not finished. */
    public int outstanding() {
        return outstanding.get();
    }

    /** A request to this endpoint started. */
    public void started() {
        outstanding.incrementAndGet();
    }

    /** A request to this endpoint finished (any outcome). */
    public void finished() {
        outstanding.decrementAndGet();
    }

    @Override
    public String toString() {
        return endpoint.address() + "(outstanding=" + outstanding.get() + ")";
    }
}
