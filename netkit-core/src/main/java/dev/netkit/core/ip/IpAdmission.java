package dev.netkit.core.ip;

import dev.netkit.core.time.Ticker;
import java.net.InetAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;

/*
 * Design. The allow and deny lists are immutable (CidrSet) and read through one volatile policy
 * reference, so a policy swap is one write. Per-IP state exists only while the policy has a
 * per-IP limit: one Entry per address, in a ConcurrentHashMap, changed only inside compute() on
 * its key (the map's bin lock makes each admit and release of one address atomic; different
 * addresses do not contend).
 *
 * An Entry holds the address's open connections and, for the rate, its GCRA state: the
 * "theoretical arrival time" tat. Each admitted connection moves tat one emission interval
 * T = 1 s / rate later; a connection is refused when tat would run more than (burst - 1) x T
 * ahead of now. The bucket is full again (the address is forgotten-safe) once tat <= now.
 *
 * Bounds. An entry is removed when its last connection closes and its bucket is full. One
 * whose bucket is still refilling stays until a sweep removes it: sweeps run at most once per
 * SWEEP_INTERVAL, from admit(), and walk the map once. The map never holds more than
 * maxTrackedIps entries: creating an entry takes a slot from `tracked` first (CAS below the
 * cap); when none is free, a sweep is tried, and then the new address is refused (too_many_ips)
 * while known addresses are still served.
 */
/**
 * The runtime of an {@link IpPolicy}: decides, for each new connection, whether its client may
 * connect, and counts each client's open connections and recent connection rate.
 *
 * <pre>{@code
 * IpAdmission admission = new IpAdmission(policy, Ticker.system());
 * switch (admission.admit(address)) {                         // once per accepted connection
 *     case IpPermit permit -> channel.closeFuture().addListener(f -> permit.release());
 *     case IpRefusal refusal -> channel.close();              // counted in refusals()
 * }
 * admission.policy(next);                                      // a reload: applies to new connections
 * }</pre>
 *
 * <p><b>Bounded state.</b> Nothing is kept per address unless the policy has a per-IP limit. Then
 * an address is tracked while it has a connection open or its rate bucket is refilling (at most
 * about one second after its last new connection), never more than {@link IpPolicy#maxTrackedIps()}
 * addresses at once: a new address beyond that is refused ({@link IpRefusal#TOO_MANY_IPS}).
 *
 * <p><b>Policy changes</b> ({@link #policy(IpPolicy)}) apply to connections admitted afterwards;
 * connections already open stay open and keep their count. Connections admitted while the policy
 * had no per-IP limit are not counted against a limit set later.
 *
 * <p>Thread-safe: {@link #admit} and {@link IpPermit#release()} may run on any threads at once;
 * each address's count changes atomically. The clock is the injected {@link Ticker}.
 */
public final class IpAdmission {
    /** How often, at most, the per-IP map is swept for addresses that can be forgotten. */
    static final long SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Ticker ticker;
    private final ConcurrentHashMap<IpKey, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicInteger tracked = new AtomicInteger();
    private final LongAdder[] refused = new LongAdder[IpRefusal.values().length];
    private final AtomicLong lastSweep;
    private volatile IpPolicy policy;

    /** An admission for {@code policy} on the clock {@code ticker}. */
    public IpAdmission(IpPolicy policy, Ticker ticker) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.lastSweep = new AtomicLong(ticker.nanoTime());
        for (int i = 0; i < refused.length; i++) {
            refused[i] = new LongAdder();
        }
    }

    /**
     * A permit that counts nothing, for a client no policy applies to (a peer without an IP
     * address); releasing it does nothing.
     */
    public static IpPermit unchecked() {
        return IpPermit.UNCOUNTED;
    }

    /** The policy in force. */
    public IpPolicy policy() {
        return policy;
    }

    /** Applies {@code next} to connections admitted from now on (see the class comment). */
    public void policy(IpPolicy next) {
        policy = Objects.requireNonNull(next, "policy");
    }

    /**
     * Decides whether a new connection from {@code client} may stay. A permit must be
     * {@linkplain IpPermit#release() released} when the connection closes; a refusal is counted.
     */
    public IpDecision admit(InetAddress client) {
        IpPolicy p = policy;
        if (p.allowsAll() && tracked.get() == 0) {
            return IpPermit.UNCOUNTED; // the default: no lookup, no key, no clock
        }
        IpKey key = IpKey.of(Objects.requireNonNull(client, "client"));
        IpRefusal refusal = p.screen(key);
        if (refusal != null) {
            return refuse(refusal);
        }
        long now = ticker.nanoTime();
        sweepIfDue(now); // also after a swap to a policy without per-IP limits: old entries still go
        if (!p.limitsPerIp()) {
            return IpPermit.UNCOUNTED;
        }
        refusal = count(key, p, now);
        if (refusal == IpRefusal.TOO_MANY_IPS && sweepIfDue(now)) {
            refusal = count(key, p, now);
        }
        return refusal == null ? new IpPermit(this, key) : refuse(refusal);
    }

    private IpRefusal refuse(IpRefusal refusal) {
        refused[refusal.ordinal()].increment();
        return refusal;
    }

    /** Takes one connection for {@code key} under the per-IP limits; the refusal, or null. */
    private IpRefusal count(IpKey key, IpPolicy p, long now) {
        Admit step = new Admit(p, now);
        entries.compute(key, step);
        return step.refusal;
    }

    /** Called by {@link IpPermit#release()}, once per permit. */
    void release(IpKey key) {
        long now = ticker.nanoTime();
        entries.computeIfPresent(key, (k, e) -> {
            e.open--;
            return forget(e, now) ? null : e;
        });
    }

    /** Whether {@code e} can go (no connection open, bucket full); if so its slot is given back. */
    private boolean forget(Entry e, long now) {
        if (e.open <= 0 && e.tat - now <= 0) {
            tracked.decrementAndGet();
            return true;
        }
        return false;
    }

    /**
     * Removes the addresses that can be forgotten, unless nothing is tracked or a sweep ran less
     * than {@link #SWEEP_INTERVAL_NANOS} ago. One thread sweeps at a time. Returns whether it swept.
     */
    private boolean sweepIfDue(long now) {
        long last = lastSweep.get();
        if (tracked.get() == 0 || now - last < SWEEP_INTERVAL_NANOS || !lastSweep.compareAndSet(last, now)) {
            return false;
        }
        for (IpKey k : entries.keySet()) {
            entries.computeIfPresent(k, (key, e) -> forget(e, now) ? null : e);
        }
        return true;
    }

    /** Connections refused for {@code reason} since creation. */
    public long refused(IpRefusal reason) {
        return refused[reason.ordinal()].sum();
    }

    /** Refusals since creation by {@linkplain IpRefusal#label() label}, every reason present, in declaration order. */
    public Map<String, Long> refusals() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (IpRefusal r : IpRefusal.values()) {
            m.put(r.label(), refused[r.ordinal()].sum());
        }
        return Collections.unmodifiableMap(m);
    }

    /** How many addresses are tracked now (0 when the policy has no per-IP limit and none was set before). */
    public int trackedIps() {
        return tracked.get();
    }

    /** The connections {@code client} has open as counted by the per-IP limit (0 when not tracked). */
    public int openConnections(InetAddress client) {
        Entry e = entries.get(IpKey.of(client));
        return e == null ? 0 : e.open; // a racy read of a plain field: for stats and tests only
    }

    /** One address's state; mutated only inside the map's compute on its key. */
    private static final class Entry {
        int open;
        long tat; // GCRA theoretical arrival time, on the ticker's clock

        Entry(long now) {
            tat = now;
        }
    }

    /** One admit's step inside {@code compute}: the map's lock for the key is held while it runs. */
    private final class Admit implements BiFunction<IpKey, Entry, Entry> {
        private final IpPolicy p;
        private final long now;
        IpRefusal refusal;

        Admit(IpPolicy p, long now) {
            this.p = p;
            this.now = now;
        }

        @Override
        public Entry apply(IpKey key, Entry e) {
            if (e == null) {
                if (!takeSlot(p.maxTrackedIps())) {
                    refusal = IpRefusal.TOO_MANY_IPS;
                    return null;
                }
                e = new Entry(now);
            }
            refusal = tryOpen(e);
            return refusal != null && forget(e, now) ? null : e;
        }

        private IpRefusal tryOpen(Entry e) {
            if (p.maxConnectionsPerIp() > 0 && e.open >= p.maxConnectionsPerIp()) {
                return IpRefusal.MAX_CONNECTIONS_PER_IP;
            }
            double rate = p.maxNewConnectionsPerSecondPerIp();
            if (rate > 0) {
                long interval = (long) Math.ceil(1e9 / rate);
                long tolerance = (long) ((Math.max(1, rate) - 1) * interval);
                long tat = e.tat - now < 0 ? now : e.tat;
                if (tat - now > tolerance) {
                    return IpRefusal.RATE_PER_IP;
                }
                e.tat = tat + interval;
            }
            e.open++;
            return null;
        }
    }

    private boolean takeSlot(int cap) {
        while (true) {
            int n = tracked.get();
            if (n >= cap) {
                return false;
            }
            if (tracked.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }
}
