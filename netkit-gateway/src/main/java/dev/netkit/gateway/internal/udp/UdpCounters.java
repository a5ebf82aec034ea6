package dev.netkit.gateway.internal.udp;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.gateway.UdpListenerStats;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** One udp listener's counters: written by its event loops, read by {@link #snapshot}. */
final class UdpCounters {
    /** Sessions and datagrams of one endpoint. */
    static final class PerEndpoint {
        final LongAdder sessions = new LongAdder();
        final LongAdder packetsToUpstream = new LongAdder();
        final LongAdder bytesToUpstream = new LongAdder();
        final LongAdder packetsFromUpstream = new LongAdder();
        final LongAdder bytesFromUpstream = new LongAdder();
    }

    final LongAdder packetsFromClients = new LongAdder();
    final LongAdder bytesFromClients = new LongAdder();
    final LongAdder packetsToUpstreams = new LongAdder();
    final LongAdder bytesToUpstreams = new LongAdder();
    final LongAdder packetsToClients = new LongAdder();
    final LongAdder bytesToClients = new LongAdder();
    /** Sessions open now, across the listener's loops: the bound {@code max_sessions} is checked against it. */
    final AtomicInteger sessionsActive = new AtomicInteger();
    final LongAdder sessionsCreated = new LongAdder();
    final LongAdder sessionsExpired = new LongAdder();
    final LongAdder sessionsEnded = new LongAdder();
    private final LongAdder[] drops = new LongAdder[UdpDrop.values().length];
    private final Map<Endpoint, PerEndpoint> endpoints = new ConcurrentHashMap<>();

    UdpCounters() {
        for (int i = 0; i < drops.length; i++) {
            drops[i] = new LongAdder();
        }
    }

    void drop(UdpDrop reason) {
        drops[reason.ordinal()].increment();
    }

    long dropped(UdpDrop reason) {
        return drops[reason.ordinal()].sum();
    }

    /** Takes a session slot; false (nothing taken) when {@code max} are open. */
    boolean tryOpenSession(int max) {
        while (true) {
            int n = sessionsActive.get();
            if (n >= max) {
                return false;
            }
            if (sessionsActive.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    PerEndpoint endpoint(Endpoint address) {
        return endpoints.computeIfAbsent(address, a -> new PerEndpoint());
    }

    UdpListenerStats snapshot(String name, Map<String, Long> ipRefusals) {
        Map<String, Long> byReason = new LinkedHashMap<>();
        for (UdpDrop d : UdpDrop.values()) {
            byReason.put(d.label, dropped(d));
        }
        Map<String, UdpListenerStats.EndpointTraffic> per = new TreeMap<>();
        endpoints.forEach((address, c) -> per.put(address.toString(), new UdpListenerStats.EndpointTraffic(c.sessions.sum(),
                c.packetsToUpstream.sum(), c.bytesToUpstream.sum(), c.packetsFromUpstream.sum(), c.bytesFromUpstream.sum())));
        return new UdpListenerStats(name, packetsFromClients.sum(), bytesFromClients.sum(), packetsToUpstreams.sum(),
                bytesToUpstreams.sum(), packetsToClients.sum(), bytesToClients.sum(), sessionsActive.get(), sessionsCreated.sum(),
                sessionsExpired.sum(), sessionsEnded.sum(), byReason, ipRefusals, per);
    }
}
