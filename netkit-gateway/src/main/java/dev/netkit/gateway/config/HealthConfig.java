package dev.netkit.gateway.config;

import dev.netkit.core.health.HealthCheckConfig;
import java.util.Objects;

/**
 * A cluster's active health checks ({@code health:}). On by default in the gateway (the library
 * leaves them off): a gateway should not send clients to an endpoint it has not heard from.
 *
 * @param enabled {@code enabled}; default true
 * @param check   {@code interval}, {@code timeout}, {@code jitter}, {@code healthy_threshold},
 *                {@code unhealthy_threshold}, {@code initially_healthy}: {@link HealthCheckConfig}
 *                with its defaults (every 2 s + up to 10 %, 1 s timeout, 2 passes up, 3 failures down)
 * @param probe   {@code probe: "text"} or {@code probe_hex: "..."}: sent as an anet request whose
 *                answer must echo it; {@link Payload#EMPTY} (the default) = a TCP connect check
 */
public record HealthConfig(boolean enabled, HealthCheckConfig check, Payload probe) {
    /** Validates both. */
    public HealthConfig {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(probe, "probe");
    }

    /** On, the library's check defaults, TCP connect. */
    public static HealthConfig defaults() {
        return new HealthConfig(true, HealthCheckConfig.defaults(), Payload.EMPTY);
    }
}
