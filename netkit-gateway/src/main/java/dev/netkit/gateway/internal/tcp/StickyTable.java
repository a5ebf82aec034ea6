package dev.netkit.gateway.internal.tcp;

import dev.netkit.core.endpoint.Endpoint;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Session affinity for an L4 listener: which endpoint each client address was last sent to, kept
 * for a TTL after its last connection ended (HAProxy's stick table). Bounded: beyond
 * {@code maxEntries} expired entries are swept, and if none expired a new client is not
 * remembered (it is balanced normally; counted by the caller).
 *
 * <p>Thread-safe; the clock is passed in so tests need no sleeps.
 */
public final class StickyTable {
    private record Entry(Endpoint endpoint, long expiresAtNanos) {}

    private final ConcurrentHashMap<InetAddress, Entry> entries = new ConcurrentHashMap<>();
    private final long ttlNanos;
    private final int maxEntries;

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
        if (nowNanos - e.expiresAtNanos >= 0) {
            entries.remove(client, e);
            return null;
        }
        return e.endpoint;
    }

    /**
     * Remembers (or refreshes) {@code client} → {@code endpoint} until {@code now + ttl}.
     *
     * @return false when the table is full of live entries and the client was not remembered
     */
    public boolean put(InetAddress client, Endpoint endpoint, long nowNanos) {
        if (entries.size() >= maxEntries && !entries.containsKey(client)) {
            sweep(nowNanos);
            if (entries.size() >= maxEntries) {
                return false;
            }
        }
        entries.put(client, new Entry(endpoint, nowNanos + ttlNanos));
        return true;
    }

    /**
     * Restarts the TTL of {@code client} → {@code endpoint}; does nothing when the client sticks to
     * another endpoint now (an older connection ending must not undo a newer choice).
     */
    public void refresh(InetAddress client, Endpoint endpoint, long nowNanos) {
        entries.computeIfPresent(client, (k, e) -> e.endpoint.equals(endpoint) ? new Entry(endpoint, nowNanos + ttlNanos) : e);
    }

    /** Drops expired entries. */
    public void sweep(long nowNanos) {
        entries.values().removeIf(e -> nowNanos - e.expiresAtNanos >= 0);
    }

    /** Entries held now (expired ones included until swept or looked up). */
    public int size() {
        return entries.size();
    }
}
