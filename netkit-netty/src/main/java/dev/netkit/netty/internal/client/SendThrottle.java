package dev.netkit.netty.internal.client;

import dev.netkit.core.error.RateLimitedException;
import dev.netkit.core.limit.TokenBucket;
import dev.netkit.core.time.Scheduler;
import dev.netkit.core.time.Ticker;
import dev.netkit.netty.client.SendLimit;
import dev.netkit.netty.wire.AnetWireFormat;
import dev.netkit.core.event.LimitReached;
import dev.netkit.core.internal.OncePerInterval;
import dev.netkit.netty.fleet.FleetBucket;
import dev.netkit.netty.fleet.FleetStats;
import dev.netkit.netty.internal.event.Emitter;
import dev.netkit.netty.transport.IoGroup;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The broker's client-side rate limit: a send that finds its tokens goes at once; one that must
 * wait reserves them and is sent later by a timer task (never a sleeping caller); at most
 * {@code maxDelayedSends} wait at once. A send whose wait would outlast its deadline, or would be
 * one delayed send too many, fails at once with {@link RateLimitedException} and takes no tokens.
 * Thread-safe.
 */
public final class SendThrottle {
    private static final long EVENT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final TokenBucket requests; // null: not limited
    private final TokenBucket bytes;    // null: not limited
    private final FleetBucket fleet;    // null: no fleet limit
    private final int maxDelayed;
    private final Scheduler scheduler;
    private final Emitter emitter; // LimitReached(SEND_RATE_LIMIT)
    private final OncePerInterval eventGate; // LimitReached at most once a second
    private final AtomicInteger delayed = new AtomicInteger();
    /** Sends delayed, their total delay, and sends refused by the limit. */
    public final LongAdder throttled = new LongAdder();
    public final LongAdder throttledNanos = new LongAdder();
    public final LongAdder refused = new LongAdder();

    /** {@code io}: where a fleet limit's Redis connection lives (unused without one). */
    public SendThrottle(SendLimit limit, Ticker ticker, Scheduler scheduler, Emitter emitter, IoGroup io) {
        this.fleet = limit.fleet() == null ? null : FleetBucket.start(limit.fleetRequests(), limit.fleet(), io, ticker);
        this.requests = limit.requests() == null ? null : new TokenBucket(limit.requests(), ticker);
        this.bytes = limit.bytes() == null ? null : new TokenBucket(limit.bytes(), ticker);
        this.maxDelayed = limit.maxDelayedSends();
        this.scheduler = scheduler;
        this.emitter = emitter;
        this.eventGate = OncePerInterval.dueNow(EVENT_INTERVAL_NANOS, ticker.nanoTime());
    }

    /** A send was delayed ({@code waitNanos}) or refused (0) at {@code now}: told at most once a second. */
    private void limitReached(long waitNanos, long now) {
        if (eventGate.tryAcquire(now)) {
            emitter.rare(new LimitReached(now, null, LimitReached.Limit.SEND_RATE_LIMIT, TimeUnit.NANOSECONDS.toMicros(waitNanos),
                    delayed.get()));
        }
    }

    /** The fleet limit's counters, or null without one. */
    public FleetStats fleetStats() {
        return fleet == null ? null : fleet.stats();
    }

    /** Closes the fleet limit's Redis connection (nothing else to close). */
    public void close() {
        if (fleet != null) {
            fleet.close();
        }
    }

    /** Sends waiting for their tokens now (they count as in flight for the broker). */
    public int delayed() {
        return delayed.get();
    }

    /** Sends via {@code send} now or after the limit's delay; the future is the caller's. */
    public CompletableFuture<byte[]> send(int payloadLength, long nowNanos, long deadlineNanos,
                                          Supplier<CompletableFuture<byte[]>> send) {
        if (fleet != null && !fleet.tryAcquire()) { // policing, before the local limits take anything
            refused.increment();
            limitReached(0, nowNanos);
            return CompletableFuture.failedFuture(new RateLimitedException("send refused by the fleet rate limit ("
                    + fleet.limit() + " shared through " + fleet.config().key() + " on " + fleet.config().redisHost() + ":"
                    + fleet.config().redisPort() + "): no token now"));
        }
        long frame = (long) payloadLength + AnetWireFormat.HEADER_SIZE;
        long maxDelay = Math.min(Math.max(0, deadlineNanos - nowNanos), TokenBucket.MAX_DELAY.toNanos());
        long wait = reserve(frame, maxDelay);
        if (wait == TokenBucket.REFUSED) {
            refused.increment();
            limitReached(0, nowNanos);
            return CompletableFuture.failedFuture(new RateLimitedException("send refused by the rate limit (" + describe()
                    + "): the tokens would not be earned within the request's deadline of " + maxDelay / 1_000_000 + " ms"));
        }
        if (wait == 0) {
            return send.get();
        }
        if (delayed.incrementAndGet() > maxDelayed) {
            delayed.decrementAndGet();
            refund(frame);
            refused.increment();
            limitReached(0, nowNanos);
            return CompletableFuture.failedFuture(new RateLimitedException("send refused by the rate limit (" + describe()
                    + "): maxDelayedSends " + maxDelayed + " sends are already waiting for tokens"));
        }
        throttled.increment();
        throttledNanos.add(wait);
        limitReached(wait, nowNanos);
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        scheduler.schedule(() -> {
            try {
                if (!result.isDone()) { // the caller gave up meanwhile: its tokens are spent, nothing sent
                    forward(send.get(), result);
                }
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            } finally {
                delayed.decrementAndGet(); // after the send: it now counts in the pools, or is done
            }
        }, wait);
        return result;
    }

    private static void forward(CompletableFuture<byte[]> inner, CompletableFuture<byte[]> result) {
        inner.whenComplete((r, e) -> {
            if (e != null) {
                result.completeExceptionally(e instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                        ? c.getCause() : e);
            } else {
                result.complete(r);
            }
        });
        result.whenComplete((r, e) -> {
            if (result.isCancelled()) {
                inner.cancel(false);
            }
        });
    }

    /** Reserves a request token and the frame's bytes (all or nothing); the longer wait, or REFUSED. */
    private long reserve(long frame, long maxDelay) {
        long r = requests == null ? 0 : requests.acquireOrDelay(1, maxDelay);
        if (r == TokenBucket.REFUSED || bytes == null) {
            return r;
        }
        long b = bytes.acquireOrDelay(frame, maxDelay);
        if (b == TokenBucket.REFUSED && requests != null) {
            requests.refund(1);
        }
        return b == TokenBucket.REFUSED ? b : Math.max(r, b);
    }

    private void refund(long frame) {
        if (requests != null) {
            requests.refund(1);
        }
        if (bytes != null) {
            bytes.refund(frame);
        }
    }

    private String describe() { // the local limits (a fleet refusal says its own)
        return (requests == null ? "" : requests.limit() + (bytes == null ? "" : ", ")) + (bytes == null ? "" : bytes.limit());
    }
}
