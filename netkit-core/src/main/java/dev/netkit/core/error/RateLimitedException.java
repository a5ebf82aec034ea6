package dev.netkit.core.error;

/**
 * A rate limit refused the request: its tokens would not be earned within the request's deadline
 * (or the bound on delayed requests was reached). Nothing was sent. The message names the limit.
 */
public class RateLimitedException extends NetkitException {
    /** Creates the exception with a message naming the limit and the state. */
    public RateLimitedException(String message) {
        super(ErrorKind.RATE_LIMITED, message, null, false);
    }
}
