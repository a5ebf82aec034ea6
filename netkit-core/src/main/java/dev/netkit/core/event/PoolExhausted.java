package dev.netkit.core.event;

import dev.netkit.core.endpoint.Endpoint;

/**
 * A connection pool could not serve an acquire: either {@code maxPending} acquirers were already
 * waiting ({@link #MAX_PENDING}, refused at once) or the acquirer waited out its timeout
 * ({@link #ACQUIRE_TIMEOUT}). On a broker the request then fails (or is retried elsewhere).
 *
 * @param nanoTime {@link System#nanoTime()} when it happened
 * @param endpoint the pool's endpoint
 * @param cause    {@link #MAX_PENDING} or {@link #ACQUIRE_TIMEOUT}
 * @param state    the pool's state then, as in {@link dev.netkit.core.pool.PoolStats#summary()}:
 *                 {@code total=8 leased=8 idle=0 waiting=23 dialing=0 in_flight=64}
 */
public record PoolExhausted(long nanoTime, Endpoint endpoint, String cause, String state) implements NetkitEvent {
    /** The cause when {@code maxPending} acquirers were already waiting. */
    public static final String MAX_PENDING = "max_pending";
    /** The cause when an acquirer waited its whole timeout for a connection. */
    public static final String ACQUIRE_TIMEOUT = "acquire_timeout";
}
