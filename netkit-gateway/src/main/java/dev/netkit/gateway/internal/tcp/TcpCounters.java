package dev.netkit.gateway.internal.tcp;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.gateway.TcpListenerStats;
import dev.netkit.netty.internal.tls.TlsCounters;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** One L4 listener's counters; written by its event loops, read by {@link #snapshot}. */
final class TcpCounters {
    /** Bytes and connections through one endpoint. */
    static final class PerEndpoint {
        final LongAdder connections = new LongAdder();
        final LongAdder bytesToUpstream = new LongAdder();
        final LongAdder bytesFromUpstream = new LongAdder();
    }

    final LongAdder accepted = new LongAdder();
    final AtomicInteger active = new AtomicInteger();
    final LongAdder refused = new LongAdder();
    final LongAdder noUpstream = new LongAdder();
    final LongAdder connectFailures = new LongAdder();
    final LongAdder connectRetries = new LongAdder();
    final LongAdder idleTimeouts = new LongAdder();
    final LongAdder stickyFull = new LongAdder();
    final LongAdder bytesFromClients = new LongAdder();
    final LongAdder bytesToClients = new LongAdder();
    final TlsCounters tls = new TlsCounters();
    private final Map<Endpoint, PerEndpoint> endpoints = new ConcurrentHashMap<>();

    PerEndpoint endpoint(Endpoint address) {
        return endpoints.computeIfAbsent(address, a -> new PerEndpoint());
    }

    TcpListenerStats snapshot(String name, Map<String, Long> ipRefusals, boolean tlsOn) {
        Map<String, TcpListenerStats.EndpointBytes> per = new TreeMap<>();
        endpoints.forEach((address, c) -> per.put(address.toString(), new TcpListenerStats.EndpointBytes(
                c.connections.sum(), c.bytesToUpstream.sum(), c.bytesFromUpstream.sum())));
        return new TcpListenerStats(name, accepted.sum(), active.get(), refused.sum(), noUpstream.sum(),
                connectFailures.sum(), connectRetries.sum(), idleTimeouts.sum(), stickyFull.sum(),
                bytesFromClients.sum(), bytesToClients.sum(), per, ipRefusals, tls.handshakes.sum(),
                tlsOn ? tls.failuresByLabel() : Map.of());
    }
}
