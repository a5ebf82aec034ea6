package dev.netkit.netty.udp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A point-in-time snapshot of a {@link UdpServer}'s counters (totals since start). The counters
 * of each I/O thread are written by that thread alone and read without locks, so a snapshot
 * taken under load may be a few datagrams behind on some of them.
 *
 * @param packetsIn          datagrams received (every one, dropped ones included)
 * @param bytesIn            their payload bytes
 * @param packetsOut         answers handed to the socket
 * @param bytesOut           their payload bytes
 * @param drops              datagrams dropped, by {@link UdpDropReason#label()}: every reason is a
 *                           key, zeros included
 * @param readBatches        receive batches (one or more {@code recvmmsg}/{@code recvmsg} calls
 *                           between two read-completes of a socket)
 * @param batchSizes         receive batches by size: key {@code n} counts batches of {@code n}
 *                           to {@code 2n − 1} datagrams (powers of two: 1, 2, 4 … 512)
 * @param sendErrors         errors the sockets reported (for example an ICMP port-unreachable
 *                           surfaced by the kernel); the server goes on
 * @param sourcesEvicted     sources forgotten by a full rate table
 * @param blockingQueued     datagrams waiting for a blocking handler now
 */
public record UdpStats(
        long packetsIn,
        long bytesIn,
        long packetsOut,
        long bytesOut,
        Map<String, Long> drops,
        long readBatches,
        Map<Integer, Long> batchSizes,
        long sendErrors,
        long sourcesEvicted,
        long blockingQueued) {

    /** Copies the maps (keeping their order). */
    public UdpStats {
        drops = Collections.unmodifiableMap(new LinkedHashMap<>(drops));
        batchSizes = Collections.unmodifiableMap(new LinkedHashMap<>(batchSizes));
    }

    /** Datagrams dropped for {@code reason}. */
    public long drops(UdpDropReason reason) {
        return drops.getOrDefault(reason.label(), 0L);
    }

    /** All datagrams dropped, whatever the reason. */
    public long dropsTotal() {
        return drops.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Datagrams per receive batch on average (0 before the first batch). */
    public double meanBatchSize() {
        return readBatches == 0 ? 0 : (double) packetsIn / readBatches;
    }
}
