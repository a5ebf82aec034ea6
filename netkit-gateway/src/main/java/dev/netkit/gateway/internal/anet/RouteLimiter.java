package dev.netkit.gateway.internal.anet;

import dev.netkit.core.limit.TokenBucket;
import dev.netkit.core.time.Ticker;
import dev.netkit.gateway.config.RouteRateLimit;
import dev.netkit.netty.fleet.FleetBucket;
import dev.netkit.netty.fleet.FleetStats;
import dev.netkit.netty.transport.IoGroup;
import java.util.concurrent.atomic.LongAdder;

/**
 * A route's {@code rate_limit} at runtime: a local {@link TokenBucket}, or a {@link FleetBucket}
 * sharing the rate through Redis. Policing: {@link #tryAcquire()} answers now, never blocks.
 * Thread-safe. A reload keeps the limiter of a route whose limit did not change (its tokens and
 * its Redis connection stay); a limiter left out is closed.
 */
final class RouteLimiter implements AutoCloseable {
    private final RouteRateLimit config;
    private final TokenBucket local; // null with a fleet
    private final FleetBucket fleet; // null without
    final LongAdder rejected = new LongAdder();

    private RouteLimiter(RouteRateLimit config, TokenBucket local, FleetBucket fleet) {
        this.config = config;
        this.local = local;
        this.fleet = fleet;
    }

    static RouteLimiter of(RouteRateLimit config, String name, IoGroup io) {
        if (config.fleet().isPresent()) {
            return new RouteLimiter(config, null, FleetBucket.start(config.toRateLimit(name), config.fleet().get(), io, Ticker.system()));
        }
        return new RouteLimiter(config, new TokenBucket(config.toRateLimit(name), Ticker.system()), null);
    }

    RouteRateLimit config() {
        return config;
    }

    boolean tryAcquire() {
        boolean ok = fleet != null ? fleet.tryAcquire() : local.tryAcquire(1);
        if (!ok) {
            rejected.increment();
        }
        return ok;
    }

    /** The fleet bucket's counters, or null for a local limit. */
    FleetStats fleetStats() {
        return fleet == null ? null : fleet.stats();
    }

    @Override
    public void close() {
        if (fleet != null) {
            fleet.close();
        }
    }
}
