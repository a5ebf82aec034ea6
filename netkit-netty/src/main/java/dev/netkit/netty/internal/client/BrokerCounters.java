package dev.netkit.netty.internal.client;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The broker's counters, written by I/O and caller threads. */
public final class BrokerCounters {
    public final LongAdder sent = new LongAdder();
    public final LongAdder responses = new LongAdder();
    public final LongAdder timeouts = new LongAdder();
    public final LongAdder connectionFailures = new LongAdder();
    public final LongAdder protocolViolations = new LongAdder();
    public final LongAdder lateResponses = new LongAdder();
    public final LongAdder rejected = new LongAdder();
    public final LongAdder retries = new LongAdder();
    public final LongAdder bytesSent = new LongAdder();
    public final LongAdder bytesReceived = new LongAdder();
    public final AtomicInteger openConnections = new AtomicInteger();
}
