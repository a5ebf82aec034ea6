package dev.netkit.gateway;

/** A gateway could not start or apply a configuration: which listener or cluster, and why. */
public class GatewayException extends RuntimeException {
    /** @param message names the listener or cluster and the cause */
    public GatewayException(String message, Throwable cause) {
        super(message, cause);
    }

    /** @param message names what was refused and why */
    public GatewayException(String message) {
        super(message);
    }
}
