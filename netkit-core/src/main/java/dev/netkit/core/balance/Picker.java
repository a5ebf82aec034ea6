package dev.netkit.core.balance;

/**
 * An immutable snapshot that chooses an endpoint per request. Built by {@link Strategy#picker}
 * from the endpoints in service; rebuilt (not changed) when they change. {@link #pick()} is
 * thread-safe, takes no lock and allocates nothing.
 */
public interface Picker {
    /** The endpoint for the next request; never null (a picker has at least one endpoint). */
    EndpointState pick();

    /** The endpoints this snapshot picks from, in the order given. */
    java.util.List<EndpointState> endpoints();
}
