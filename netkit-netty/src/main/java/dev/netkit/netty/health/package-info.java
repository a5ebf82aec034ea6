/**
 * Active health checks over wire format v1: {@link dev.netkit.netty.health.AnetProbeChecker}, a
 * {@link dev.netkit.core.health.HealthChecker} to run with
 * {@link dev.netkit.core.health.HealthCheckRunner}.
 */
package dev.netkit.netty.health;
