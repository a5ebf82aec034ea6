package dev.netkit.core.balance;

import java.util.List;

/**
 * An immutable snapshot that chooses an endpoint per request. Built by {@link Strategy#picker}
 * from the endpoints in service (with their {@link EndpointState#effectiveWeight() effective
 * weights} read once, at build time); rebuilt, never changed, when they change. Picks are
 * thread-safe, take no lock and allocate nothing.
 */
public interface Picker {
    /** The endpoint for the next request; never null (a picker has at least one endpoint). */
    EndpointState pick();

    /**
     * The endpoint for a request with this key. Hashing strategies map equal keys to the same
     * endpoint while membership is unchanged (sticky sessions); the others ignore the key.
     *
     * @param key a well-mixed 64-bit hash of the request's key (see HashKeys)
     */
    default EndpointState pick(long key) {
        return pick();
    }

    /** The endpoints this snapshot picks from, in the order given. */
    List<EndpointState> endpoints();
}
