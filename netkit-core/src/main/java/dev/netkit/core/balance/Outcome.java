package dev.netkit.core.balance;

/** How a request sent to a picked endpoint ended, as far as judging that endpoint goes. */
public enum Outcome {
    /** The endpoint answered. */
    SUCCESS,
    /** The endpoint failed it: connection refused or lost, timed out, protocol violation. */
    FAILURE,
    /**
     * Says nothing about the endpoint: cancelled by the caller, refused locally before it was
     * sent, or the client closing. Frees the pick without judging.
     */
    NOT_COUNTED
}
