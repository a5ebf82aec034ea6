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
 * @param qosClass   the class of service (a name from {@link BrokerConfig#qos()}) under which the
 *                   request waits when connections are saturated; null = the policy's default class
 */
public record RequestOptions(Duration timeout, boolean idempotent, boolean keyed, long key, String qosClass) {
    private static final RequestOptions DEFAULTS = new RequestOptions(null, false, false, 0, null);

    /** Validates the timeout. */
    public RequestOptions {
        if (timeout != null) {
            Checks.positive("timeout", timeout);
        }
    }

    /** The broker's timeout, not idempotent, no key, the default class. */
    public static RequestOptions defaults() {
        return DEFAULTS;
    }

    /** A copy with this deadline. */
    public RequestOptions withTimeout(Duration value) {
        return new RequestOptions(Checks.positive("timeout", value), idempotent, keyed, key, qosClass);
    }

    /** A copy marked idempotent: retried on another endpoint even after it was written. */
    public RequestOptions asIdempotent() {
        return new RequestOptions(timeout, true, keyed, key, qosClass);
    }

    /** A copy with this hashing key. */
    public RequestOptions withKey(long value) {
        return new RequestOptions(timeout, idempotent, true, value, qosClass);
    }

    /** A copy in this class of service (see {@link BrokerConfig#qos()}). */
    public RequestOptions withQosClass(String value) {
        return new RequestOptions(timeout, idempotent, keyed, key, java.util.Objects.requireNonNull(value, "qosClass"));
    }
}
