package dev.netkit.core.pool;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.NoEndpointsException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One {@link ConnectionPool} per endpoint, managed together (anet's {@code NewPoolList}):
 * created from one factory, listed for picking, counted and closed as a group. Endpoints can be
 * added and removed while traffic flows; removing one closes its pool (leases out keep working
 * until released). Thread-safe: readers see an immutable snapshot.
 *
 * @param <C> the connection type
 */
public final class PoolGroup<C> implements AutoCloseable {
    private final Function<Endpoint, ConnectionPool<C>> factory;
    private final Object writeLock = new Object();
    private volatile List<ConnectionPool<C>> pools;
    private volatile boolean closed;

    /** Creates a pool for each of {@code endpoints} with {@code factory}. */
    public PoolGroup(List<Endpoint> endpoints, Function<Endpoint, ConnectionPool<C>> factory) {
        this.factory = Objects.requireNonNull(factory, "factory");
        if (endpoints.isEmpty()) {
            throw new NoEndpointsException("endpoints: none configured (expected: at least one host:port)");
        }
        Map<Endpoint, ConnectionPool<C>> created = new LinkedHashMap<>();
        try {
            for (Endpoint e : endpoints) {
                created.computeIfAbsent(e, factory);
            }
        } catch (RuntimeException e) {
            created.values().forEach(ConnectionPool::close); // do not leave the first pools dialing
            throw e;
        }
        this.pools = List.copyOf(created.values());
    }

    /** The pools, in endpoint order; an immutable snapshot. */
    public List<ConnectionPool<C>> pools() {
        return pools;
    }

    /** The pool for {@code endpoint}, or {@code null}. */
    public ConnectionPool<C> pool(Endpoint endpoint) {
        for (ConnectionPool<C> p : pools) {
            if (p.endpoint().equals(endpoint)) {
                return p;
            }
        }
        return null;
    }

    /** Adds a pool for {@code endpoint} unless there is one; returns the pool. */
    public ConnectionPool<C> add(Endpoint endpoint) {
        synchronized (writeLock) {
            if (closed) {
                throw new IllegalStateException("pool group is closed; cannot add " + endpoint);
            }
            ConnectionPool<C> existing = pool(endpoint);
            if (existing != null) {
                return existing;
            }
            ConnectionPool<C> created = factory.apply(endpoint);
            List<ConnectionPool<C>> next = new ArrayList<>(pools);
            next.add(created);
            pools = List.copyOf(next);
            return created;
        }
    }

    /** Removes and closes the pool for {@code endpoint}; false if there was none. */
    public boolean remove(Endpoint endpoint) {
        ConnectionPool<C> removed;
        synchronized (writeLock) {
            removed = pool(endpoint);
            if (removed == null) {
                return false;
            }
            List<ConnectionPool<C>> next = new ArrayList<>(pools);
            next.remove(removed);
            pools = List.copyOf(next);
        }
        removed.close();
        return true;
    }

    /** A snapshot of every pool. */
    public List<PoolStats> stats() {
        List<PoolStats> all = new ArrayList<>();
        for (ConnectionPool<C> p : pools) {
            all.add(p.stats());
        }
        return all;
    }

    /** Retires every connection of every pool; see {@link ConnectionPool#evictAll()}. */
    public void evictAll() {
        pools.forEach(ConnectionPool::evictAll);
    }

    /** Closes every pool. Idempotent. */
    @Override
    public void close() {
        synchronized (writeLock) {
            closed = true;
        }
        pools.forEach(ConnectionPool::close);
    }
}
