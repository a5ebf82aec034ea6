package dev.netkit.netty.internal.server;

import dev.netkit.netty.internal.tls.TlsCounters;
import dev.netkit.netty.server.ServerStats;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The server's counters; written by I/O and handler threads, read by {@link #snapshot}. */
public final class ServerCounters {
    public final LongAdder connectionsAccepted = new LongAdder();
    public final LongAdder connectionsRejected = new LongAdder();
    public final AtomicInteger activeConnections = new AtomicInteger();
    public final LongAdder requests = new LongAdder();
    public final LongAdder responses = new LongAdder();
    public final LongAdder noReply = new LongAdder();
    public final LongAdder handlerErrors = new LongAdder();
    public final LongAdder oversizedResponses = new LongAdder();
    public final LongAdder protocolViolations = new LongAdder();
    public final LongAdder readTimeouts = new LongAdder();
    public final LongAdder idleTimeouts = new LongAdder();
    public final LongAdder writeTimeouts = new LongAdder();
    public final LongAdder inFlight = new LongAdder();
    public final LongAdder bytesReceived = new LongAdder();
    public final LongAdder bytesSent = new LongAdder();
    public final LongAdder discardedResponses = new LongAdder();
    public final LongAdder handlerClosed = new LongAdder();
    public final LongAdder throttledReads = new LongAdder();
    public final LongAdder throttledNanos = new LongAdder();
    public final LongAdder rateLimited = new LongAdder();
    public final TlsCounters tls = new TlsCounters();

    public ServerStats snapshot(Map<String, Long> ipRefusals) {
        return new ServerStats(connectionsAccepted.sum(), connectionsRejected.sum(), activeConnections.get(),
                requests.sum(), responses.sum(), noReply.sum(), handlerErrors.sum(), oversizedResponses.sum(),
                protocolViolations.sum(), readTimeouts.sum(), idleTimeouts.sum(), writeTimeouts.sum(), inFlight.sum(),
                bytesReceived.sum(), bytesSent.sum(), discardedResponses.sum(), handlerClosed.sum(), ipRefusals,
                throttledReads.sum(), throttledNanos.sum(), rateLimited.sum(),
                tls.handshakes.sum(), tls.failuresByLabel(), tls.reloads.sum(), tls.reloadFailures.sum());
    }
}
