/**
 * Active health checks: a {@link dev.netkit.core.health.HealthChecker} probes one endpoint, and a
 * {@link dev.netkit.core.health.HealthCheckRunner} per endpoint runs it on a timer with rise and
 * fall thresholds (HAProxy's {@code rise}/{@code fall}, Envoy's healthy and unhealthy thresholds)
 * and tells a {@link dev.netkit.core.health.HealthListener} of each transition. Transport-agnostic:
 * {@link dev.netkit.core.health.TcpConnectChecker} only opens a TCP connection; protocol probes
 * live with their transport.
 */
package dev.netkit.core.health;
