package dev.netkit.netty.fleet;

import dev.netkit.core.limit.RateLimit;
import dev.netkit.core.limit.TokenBucket;
import dev.netkit.core.time.Ticker;
import dev.netkit.netty.internal.fleet.RedisLink;
import dev.netkit.netty.transport.IoGroup;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design note. Why our own Lua GCRA over Netty's RESP codec rather than Bucket4j on Lettuce:
 * Lettuce brings Reactor and its own event loops and resolves its own Netty; this is one script,
 * one connection per bucket on one of the caller's event loops, and ~300 lines we can read. The
 * script (GcraScript) is atomic in Redis, uses Redis's clock, and grants up to a batch per call.
 *
 * Per request: tryAcquire() takes one prefetched token from `local` (an AtomicLong, CAS, no lock,
 * no allocation). When what is left drops to half a batch, one fetch is started (the `fetching`
 * flag: at most one round trip in flight per bucket), so a steady stream finds tokens on hand and
 * a round trip costs 1/batch of a request. When Redis grants less than asked (the fleet is at its
 * rate), the answer says when a token will be back and no fetch starts before then, so a rejected
 * flood does not become a flood of round trips. Tokens a member holds and does not use are at most
 * one batch: the fleet may pass members x batch above the burst at worst.
 *
 * Failure (connect refused, timeout, a garbage or error answer, connection lost): fail open to a
 * local TokenBucket of rate/members and burst/members (members: what Redis last reported, else the
 * configured count), so the fleet as a whole stays near its rate. The first failure of an episode
 * is logged (warn) and counted; the rest only counted. The link reconnects with backoff by itself;
 * when a new connection is up a fetch is tried, and the first grant ends the episode (logged).
 * Nothing here blocks: the callers are event loops.
 */
/**
 * A token bucket whose state lives in Redis, so several processes (a fleet of gateways) share one
 * rate: policing only ({@link #tryAcquire()} answers now). Tokens are taken from Redis a batch at
 * a time; when Redis cannot be used the bucket admits a local share of the rate and says so in
 * its {@link #stats()}. Thread-safe; {@link #tryAcquire()} never blocks.
 */
public final class FleetBucket implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FleetBucket.class);

    private final RateLimit limit;
    private final FleetConfig config;
    private final Ticker ticker;
    private final long batch;
    private final RedisLink link;
    private final AtomicLong local = new AtomicLong();
    private final AtomicBoolean fetching = new AtomicBoolean();
    private final LongAdder admitted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder fetched = new LongAdder();
    private final LongAdder fallbackAdmitted = new LongAdder();
    private final LongAdder episodes = new LongAdder();
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    private volatile long notBefore;
    private volatile boolean degraded;
    private volatile TokenBucket share;
    private volatile long members;

    private FleetBucket(RateLimit limit, FleetConfig config, IoGroup io, Ticker ticker) {
        this.limit = limit;
        this.config = config;
        this.ticker = ticker;
        this.batch = config.batch() > 0 ? Math.min(config.batch(), limit.burst())
                : Math.max(1, Math.min(limit.perSecond() / 100, limit.burst() / 2)); // half the burst at most: waiting for a batch never lets the bucket overflow
        this.members = config.members();
        this.notBefore = ticker.nanoTime();
        String memberId = ProcessHandle.current().pid() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        this.link = new RedisLink(config, io.transport(), io.eventLoops().next(), memberId, new Events());
    }

    /**
     * Starts a bucket of {@code limit} (its rate and burst are the fleet's, shared by all members)
     * stored in Redis per {@code config}; connects on one of {@code io}'s event loops and takes a
     * first batch. {@code ticker} paces the fallback share and the retry hints.
     */
    public static FleetBucket start(RateLimit limit, FleetConfig config, IoGroup io, Ticker ticker) {
        FleetBucket b = new FleetBucket(Objects.requireNonNull(limit, "limit"), Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(io, "io"), Objects.requireNonNull(ticker, "ticker"));
        b.link.start();
        b.fetchIfDue(true);
        return b;
    }

    /** The fleet's limit. */
    public RateLimit limit() {
        return limit;
    }

    /** Where its state lives. */
    public FleetConfig config() {
        return config;
    }

    /** Tokens taken per round trip. */
    public long batch() {
        return batch;
    }

    /** Takes one token now, or refuses (policing). Never blocks, never throws. */
    public boolean tryAcquire() {
        if (degraded) {
            return fallback();
        }
        long n;
        do {
            n = local.get();
            if (n <= 0) {
                fetchIfDue(false);
                rejected.increment();
                return false;
            }
        } while (!local.compareAndSet(n, n - 1));
        if (n - 1 <= batch / 2) {
            fetchIfDue(false);
        }
        admitted.increment();
        return true;
    }

    private boolean fallback() {
        if (share.tryAcquire(1)) {
            admitted.increment();
            fallbackAdmitted.increment();
            return true;
        }
        rejected.increment();
        return false;
    }

    private void fetchIfDue(boolean force) {
        if ((force || ticker.nanoTime() - notBefore >= 0) && fetching.compareAndSet(false, true)) {
            link.fetch(limit.perSecond(), limit.burst(), batch);
        }
    }

    /** A snapshot of its counters. */
    public FleetStats stats() {
        Map<String, Long> f = new TreeMap<>();
        failures.forEach((k, v) -> f.put(k, v.sum()));
        return new FleetStats(admitted.sum(), rejected.sum(), link.roundTrips(), fetched.sum(), fallbackAdmitted.sum(),
                episodes.sum(), f, degraded, (int) members);
    }

    /** Closes its Redis connection; afterwards it admits only its local share. */
    @Override
    public void close() {
        link.close();
    }

    private void enterFallback(String reason, String detail) {
        long m = Math.max(1, members);
        share = new TokenBucket(new RateLimit(limit.name() + " (fleet share 1/" + m + ")",
                Math.max(1, limit.perSecond() / m), Math.max(1, limit.burst() / m)), ticker);
        degraded = true;
        episodes.increment();
        log.warn("fleet limit {} ({} on {}:{}): Redis failed ({}: {}); admitting a local share of 1/{} of the rate"
                        + " ({}/s) until it answers again", limit.name(), config.key(), config.redisHost(), config.redisPort(),
                reason, detail, m, share.limit().perSecond());
    }

    /** Called on the link's event loop, one at a time. */
    private final class Events implements RedisLink.Listener {
        @Override
        public void granted(long tokens, long retryAfterMicros, long count) {
            if (count > 0) {
                members = Math.min(count, FleetConfig.MAX_MEMBERS);
            }
            fetched.add(tokens);
            local.addAndGet(tokens);
            if (tokens < batch) {
                notBefore = ticker.nanoTime() + TimeUnit.MICROSECONDS.toNanos(Math.max(retryAfterMicros, 100));
            }
            if (degraded) {
                degraded = false;
                log.info("fleet limit {} ({}): Redis answers again; back to the fleet rate", limit.name(), config.key());
            }
            fetching.set(false);
        }

        @Override
        public void failed(String reason, String detail) {
            failures.computeIfAbsent(reason, k -> new LongAdder()).increment();
            fetching.set(false);
            if (!degraded) {
                enterFallback(reason, detail);
            }
        }

        @Override
        public void connected() {
            if (degraded) {
                fetchIfDue(true); // the first grant ends the episode
            }
        }
    }
}
