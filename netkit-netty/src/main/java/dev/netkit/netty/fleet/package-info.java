/**
 * Fleet-wide rate limits: {@link dev.netkit.netty.fleet.FleetBucket}, a token bucket whose state is
 * in Redis (a Lua GCRA script, one round trip per batch of tokens) so several processes share one
 * rate, with a local fallback share when Redis cannot be used; configured by
 * {@link dev.netkit.netty.fleet.FleetConfig}, observed through {@link dev.netkit.netty.fleet.FleetStats}.
 */
package dev.netkit.netty.fleet;
