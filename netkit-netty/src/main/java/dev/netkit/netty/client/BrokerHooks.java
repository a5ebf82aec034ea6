package dev.netkit.netty.client;

import dev.netkit.core.balance.BalancerListener;
import dev.netkit.core.event.EventBus;
import dev.netkit.core.internal.Checks;
import dev.netkit.core.pool.PoolListener;
import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link Broker} tells the outside world, besides its stats: listeners for its balancer and
 * pools, a per-attempt observer, and an {@link EventBus} for typed events. Kept apart from
 * {@link BrokerConfig} because these are live objects, not settings. Build with {@link #builder()}.
 *
 * <p>Whatever is set here, the broker also emits JFR events ({@code dev.netkit.*}) for pool
 * exhaustion, ejections, breaker changes and, with a {@link #slowRequestThreshold()}, slow requests.
 *
 * @param balancerListener     told of ejections, returns, health and breaker changes; default none
 * @param requestObserver      told how each attempt of each request ended; null for none
 * @param poolListener         told of every pool's connections opened and closed and acquires
 *                             refused; default none
 * @param events               where typed events go; null for none
 * @param slowRequestThreshold an attempt taking at least this long is reported as a
 *                             {@link dev.netkit.core.event.SlowRequest} (to {@code events} and JFR);
 *                             zero = off (default)
 */
public record BrokerHooks(
        BalancerListener balancerListener,
        RequestObserver requestObserver,
        PoolListener poolListener,
        EventBus events,
        Duration slowRequestThreshold) {

    private static final BrokerHooks NONE = builder().build();

    /** Validates; a null listener means none, a null threshold means off. */
    public BrokerHooks {
        balancerListener = balancerListener == null ? BalancerListener.NONE : balancerListener;
        poolListener = poolListener == null ? PoolListener.NONE : poolListener;
        slowRequestThreshold = Checks.notNegative("slowRequestThreshold",
                slowRequestThreshold == null ? Duration.ZERO : slowRequestThreshold);
    }

    /** No listeners, no events (JFR events for the rare ones are still emitted). */
    public static BrokerHooks none() {
        return NONE;
    }

    /** A builder with nothing set. */
    public static Builder builder() {
        return new Builder();
    }

    /** Mutable builder for {@link BrokerHooks}. */
    public static final class Builder {
        private BalancerListener balancerListener;
        private RequestObserver requestObserver;
        private PoolListener poolListener;
        private EventBus events;
        private Duration slowRequestThreshold = Duration.ZERO;

        private Builder() {}

        /** @see BrokerHooks#balancerListener() */
        public Builder balancerListener(BalancerListener v) { balancerListener = Objects.requireNonNull(v, "balancerListener"); return this; }
        /** @see BrokerHooks#requestObserver() */
        public Builder requestObserver(RequestObserver v) { requestObserver = v; return this; }
        /** @see BrokerHooks#poolListener() */
        public Builder poolListener(PoolListener v) { poolListener = Objects.requireNonNull(v, "poolListener"); return this; }
        /** @see BrokerHooks#events() */
        public Builder events(EventBus v) { events = v; return this; }
        /** @see BrokerHooks#slowRequestThreshold() */
        public Builder slowRequestThreshold(Duration v) { slowRequestThreshold = v; return this; }

        /** Validates and builds. */
        public BrokerHooks build() {
            return new BrokerHooks(balancerListener, requestObserver, poolListener, events, slowRequestThreshold);
        }
    }
}
