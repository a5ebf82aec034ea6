/**
 * Rate limits without locks, sleeps or floating point: {@link dev.netkit.core.limit.TokenBucket}
 * (one bucket: policing with {@code tryAcquire}, non-blocking shaping with
 * {@code acquireOrDelay}, which reserves and says how long to wait), its configuration
 * {@link dev.netkit.core.limit.RateLimit}, {@link dev.netkit.core.limit.LimitChain} (several
 * buckets charged all-or-nothing: global, per connection, per client, per route) and
 * {@link dev.netkit.core.limit.BucketTable} (a bounded table of buckets per key, e.g. per client
 * IP). Requests per second and bytes per second are the same buckets charged 1 per request or
 * the size in bytes.
 *
 * <p>Callers that shape never block: they schedule a resume after the delay a bucket returns
 * (the server stops reading a connection; the broker delays a send on its timer). Every type here
 * takes its clock as a {@link dev.netkit.core.time.Ticker}, so tests drive time by hand.
 */
package dev.netkit.core.limit;
