package dev.netkit.netty.client;

import dev.netkit.core.internal.Checks;
import java.time.Duration;

/**
 * Per-request settings for {@link Broker#send(byte[], RequestOptions)}. Immutable; start from
 * {@link #defaults()}.
 *
 * @param timeout    the deadline from send to response; null = the broker's
 *                   {@link BrokerConfig#requestTimeout()}
 * @param idempotent the request may safely be processed twice, so it may be retried even after
 *                   it was written (otherwise only requests that provably never left are retried)
 * @param keyed      whether {@code key} is set
 * @param key        the hashing key (a {@code HashKeys} hash) for consistent-hash strategies:
 *                   equal keys go to the same endpoint (sticky sessions)
 */
public record RequestOptions(Duration timeout, boolean idempotent, boolean keyed, long key) {
    private static final RequestOptions DEFAULTS = new RequestOptions(null, false, false, 0);

    /** Validates the timeout. */
    public RequestOptions {
        if (timeout != null) {
            Checks.positive("timeout", timeout);
        }
    }

    /** The broker's timeout, not idempotent, no key. */
    public static RequestOptions defaults() {
        return DEFAULTS;
    }

    /** A copy with this deadline. */
    public RequestOptions withTimeout(Duration value) {
        return new RequestOptions(Checks.positive("timeout", value), idempotent, keyed, key);
    }

    /** A copy marked idempotent: retried on another endpoint even after it was written. */
    public RequestOptions asIdempotent() {
        return new RequestOptions(timeout, true, keyed, key);
    }

    /** A copy with this hashing key. */
    public RequestOptions withKey(long value) {
        return new RequestOptions(timeout, idempotent, true, value);
    }
}
