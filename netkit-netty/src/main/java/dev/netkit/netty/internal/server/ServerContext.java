package dev.netkit.netty.internal.server;

import dev.netkit.netty.internal.RateLimitedLog;
import dev.netkit.netty.server.FrameServerConfig;

/** What every connection of one server shares. Immutable; the parts are thread-safe. */
public record ServerContext(
        FrameServerConfig config,
        ServerCounters counters,
        ConcurrencyLimiter limiter,
        RequestDispatcher dispatcher,
        RateLimitedLog warnings,
        ServerEvents events,
        TrafficShaping shaping) {}
