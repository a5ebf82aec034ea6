/**
 * The configuration of {@code netkit gateway}: an immutable model ({@link dev.netkit.gateway.config.GatewayConfig}
 * and the records it holds), its YAML parser ({@link dev.netkit.gateway.config.GatewayConfigParser}) and the
 * effective configuration printer ({@link dev.netkit.gateway.config.EffectiveConfig}).
 *
 * <p>The file is YAML 1.2 (core schema: {@code no}, {@code off} and {@code yes} are strings, only
 * {@code true}/{@code false} are booleans). Every key is snake_case; every option the library has
 * (balancer, outlier detection, breaker, retries, connection pool, server limits and timeouts) can be
 * set, and each key left out takes the library's default, so the model holds the library's own config
 * records ({@link dev.netkit.core.balance.BalancerConfig}, {@link dev.netkit.core.pool.PoolConfig} …).
 * A file that cannot be used fails with one {@link dev.netkit.gateway.config.ConfigException} naming the
 * file, line, column and key path. Durations are a number and a unit: {@code 10us}, {@code 250ms},
 * {@code 2s}, {@code 1.5m}, {@code 1h} ({@code ns} too).
 *
 * <p>All types here are immutable and thread-safe. The parser is thread-safe (it keeps no state between
 * calls).
 */
package dev.netkit.gateway.config;
