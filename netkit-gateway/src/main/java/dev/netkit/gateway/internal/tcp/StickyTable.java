package dev.netkit.gateway.internal.tcp;

import dev.netkit.core.endpoint.Endpoint;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Session affinity for an L4 listener: which endpoint each client address was last sent to, kept
 * while it has connections there and for a TTL after its last one ended (HAProxy's stick table).
 * Bounded: beyond
 * {@code maxEntries} expired entries are swept, and if none expired a new client is not
 * remembered (it is balanced normally; counted by the caller).
 *
 * <p>Thread-safe; the clock is passed in so tests need no sleeps.
 */
public final class StickyTable {
    /** How often a full table may be swept: the sweep scans every entry, on an event loop. */
    static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;

    /** A client's endpoint; while {@code open > 0} it does not expire, after that at {@code expiresAtNanos}. */
    private record Entry(Endpoint endpoint, long expiresAtNanos, int open) {
        boolean expired(long nowNanos) {
            return open == 0 && nowNanos - expiresAtNanos >= 0;
        }
    }

    private final ConcurrentHashMap<InetAddress, Entry> entries = new ConcurrentHashMap<>();
    private final long ttlNanos;
    private final int maxEntries;
    private volatile long lastSweepNanos;
    private volatile boolean swept;

    public StickyTable(long ttlNanos, int maxEntries) {
        this.ttlNanos = ttlNanos;
        this.maxEntries = maxEntries;
    }

    /** The endpoint {@code client} sticks to, or null when none or expired. */
    public Endpoint get(InetAddress client, long nowNanos) {
        Entry e = entries.get(client);
        if (e == null) {
            return null;
        }
        if (e.expired(nowNanos)) {
            entries.remove(client, e);
            return null;
        }
        return e.endpoint;
    }

    /**
     * A connection from {@code client} to {@code endpoint} opened: the client sticks to it while it
     * has connections there, and for the TTL after the last one closes. A client that moved to
     * another endpoint sticks to the new one from now on.
     *
     * @return false when the table is full of live entries and the client was not remembered
     */
    public boolean opened(InetAddress client, Endpoint endpoint, long nowNanos) {
        if (entries.size() >= maxEntries && !entries.containsKey(client)) {
            sweepAtMostEverySecond(nowNanos);
            if (entries.size() >= maxEntries) {
                return false;
            }
        }
        entries.compute(client, (k, e) -> e != null && e.endpoint.equals(endpoint)
                ? new Entry(endpoint, e.expiresAtNanos, e.open + 1)
                : new Entry(endpoint, nowNanos + ttlNanos, 1));
        return true;
    }

    /**
     * A connection from {@code client} to {@code endpoint} closed: with none left there, the TTL
     * starts now. Does nothing when the client sticks to another endpoint meanwhile (an older
     * connection ending must not undo a newer choice).
     */
    public void closed(InetAddress client, Endpoint endpoint, long nowNanos) {
        entries.computeIfPresent(client, (k, e) -> {
            if (!e.endpoint.equals(endpoint)) {
                return e;
            }
            int open = Math.max(0, e.open - 1);
            return new Entry(endpoint, open == 0 ? nowNanos + ttlNanos : e.expiresAtNanos, open);
        });
    }

    /** Drops expired entries (a full scan). */
    public void sweep(long nowNanos) {
        entries.values().removeIf(e -> e.expired(nowNanos));
    }

    /**
     * A full table is swept at most once a second: otherwise every new client would scan the
     * whole table while it is full of live entries.
     */
    private void sweepAtMostEverySecond(long nowNanos) {
        if (swept && nowNanos - lastSweepNanos < SWEEP_INTERVAL_NANOS) {
            return;
        }
        swept = true;
        lastSweepNanos = nowNanos;
        sweep(nowNanos);
    }

    /** Entries held now (expired ones included until swept or looked up). */
    public int size() {
        return entries.size();
    }
}
