package dev.netkit.netty.internal.server;

import dev.netkit.core.internal.OncePerInterval;
import dev.netkit.core.limit.RateLimit;
import dev.netkit.core.limit.TokenBucket;
import dev.netkit.core.time.Ticker;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/*
 * Design note. Why not core.limit.BucketTable: its sweep forgets any full bucket, so a
 * connection that went quiet for a moment could keep charging a bucket the table had already
 * forgotten while a second connection from the same address got a fresh one - two buckets for
 * one client. Here an entry is pinned while a connection of its address is open (a count changed
 * inside ConcurrentHashMap.compute, so pin, unpin and the sweep's removal never interleave on one
 * key), and only an unpinned entry whose buckets are full again is forgotten. Keeping an unpinned
 * entry until it refills is what stops a client from earning a fresh burst by reconnecting.
 */
/**
 * The per-client-IP buckets of a server: one requests bucket and/or one bytes bucket per client
 * address, shared by all of that address's connections. At most {@code maxClients} addresses are
 * tracked; a new address beyond that (after a sweep found nothing to forget) is refused.
 * Thread-safe.
 */
final class ClientBuckets {
    static final long SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** One client's buckets and how many of its connections are open. */
    static final class Entry {
        final TokenBucket requests; // null: not limited
        final TokenBucket bytes;    // null: not limited
        int connections;            // changed only inside compute() on the entry's key

        Entry(TokenBucket requests, TokenBucket bytes) {
            this.requests = requests;
            this.bytes = bytes;
        }

        boolean full() {
            return (requests == null || requests.available() >= requests.limit().burst())
                    && (bytes == null || bytes.available() >= bytes.limit().burst());
        }
    }

    private final RateLimit requests;
    private final RateLimit bytes;
    private final int maxClients;
    private final Ticker ticker;
    private final ConcurrentHashMap<InetAddress, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final OncePerInterval sweepGate;

    ClientBuckets(RateLimit requests, RateLimit bytes, int maxClients, Ticker ticker) {
        this.requests = requests;
        this.bytes = bytes;
        this.maxClients = maxClients;
        this.ticker = ticker;
        this.sweepGate = OncePerInterval.dueAfterInterval(SWEEP_INTERVAL_NANOS, ticker.nanoTime());
    }

    /** The limit on tracked addresses. */
    int maxClients() {
        return maxClients;
    }

    /** Addresses tracked now. */
    int size() {
        return size.get();
    }

    /** Pins {@code client}'s entry for a new connection; null when the table is full (refuse the connection). */
    Entry pin(InetAddress client) {
        if (sweepGate.tryAcquire(ticker.nanoTime())) {
            sweep();
        }
        Entry e = tryPin(client);
        if (e == null && sweep()) {
            e = tryPin(client);
        }
        return e;
    }

    private Entry tryPin(InetAddress client) {
        return entries.compute(client, (k, e) -> {
            if (e == null) {
                if (size.getAndUpdate(n -> n < maxClients ? n + 1 : n) >= maxClients) {
                    return null;
                }
                e = new Entry(requests == null ? null : new TokenBucket(requests, ticker),
                        bytes == null ? null : new TokenBucket(bytes, ticker));
            }
            e.connections++;
            return e;
        });
    }

    /** A connection of {@code client} closed. */
    void unpin(InetAddress client, Entry entry) {
        entries.computeIfPresent(client, (k, e) -> {
            if (e == entry) {
                e.connections--;
            }
            return e;
        });
    }

    /** Forgets unpinned entries whose buckets are full again; whether any was forgotten. */
    private boolean sweep() {
        boolean any = false;
        for (InetAddress client : entries.keySet()) {
            boolean[] removed = {false};
            entries.computeIfPresent(client, (k, e) -> {
                if (e.connections == 0 && e.full()) {
                    removed[0] = true;
                    return null;
                }
                return e;
            });
            if (removed[0]) {
                size.decrementAndGet();
                any = true;
            }
        }
        return any;
    }
}
