/*
 * Design note.
 *
 *   Scheduler ──timer──► HealthCheckRunner ──check(endpoint, timeout)──► HealthChecker (SPI)
 *                          │  one check at a time; its own timeout      │ completes on any thread
 *                          │  races the checker's stage                 ▼
 *                          ├────── finish(attempt, error) ◄──────────── stage
 *                          ▼
 *                        HealthVerdict  rise/fall counters → transition reason (or none)
 *                          │
 *                          └──(after unlocking)──► HealthListener: onHealthChanged / onCheckPassed
 *
 * Threads. The runner has no thread of its own. Its lock guards the schedule (timerSeq, the
 * pending timer, busy / current attempt / rerun request) and the HealthVerdict; it is never held
 * while calling the checker or the listener. Safety: an Attempt object identifies the running
 * check, and only the completion that still finds it as `current` counts (a late stage after the
 * runner's timeout, or after close, is ignored); timerSeq numbers the one timer task that may still
 * start a check, so a cancelled-too-late timer does nothing. `busy` stays set while a transition is
 * reported, so transitions reach the listener in order and the next check is planned only after.
 * HealthVerdict.healthy is volatile: the balancer and callers read it without the lock.
 */
/**
 * Active health checks: a {@link dev.netkit.core.health.HealthChecker} probes one endpoint, and a
 * {@link dev.netkit.core.health.HealthCheckRunner} per endpoint runs it on a timer with rise and
 * fall thresholds (HAProxy's {@code rise}/{@code fall}, Envoy's healthy and unhealthy thresholds)
 * and tells a {@link dev.netkit.core.health.HealthListener} of each transition. Transport-agnostic:
 * {@link dev.netkit.core.health.TcpConnectChecker} only opens a TCP connection; protocol probes
 * live with their transport.
 */
package dev.netkit.core.health;
