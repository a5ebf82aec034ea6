package dev.netkit.gateway.config;

/**
 * What a client of an anet listener sees when its request cannot be served (no route matched, no
 * endpoint in service, the upstream failed or timed out, the cluster is at its limit). anet v1 has
 * no error frame, so there are only two honest answers: {@code on_failure: drop | close}.
 */
public enum OnFailure implements Named {
    /**
     * The default: no answer; the client's own deadline fires. The client's other requests on the
     * same (multiplexed) connection are not affected, and this is what anet already promises ("a
     * request may go unanswered, so every client request has a deadline").
     */
    DROP("drop"),
    /**
     * Close the client's connection: the client learns at once, but every other request it has in
     * flight on that connection is lost too. Suits strict request/response clients.
     */
    CLOSE("close");

    private final String configName;

    OnFailure(String configName) {
        this.configName = configName;
    }

    @Override
    public String configName() {
        return configName;
    }
}
