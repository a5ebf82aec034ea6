package dev.netkit.netty.internal.udp;

import dev.netkit.netty.udp.UdpDropReason;
import dev.netkit.netty.udp.UdpStats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Sums the sockets' {@link LoopCounters} and the blocking stage's adders into a {@link UdpStats}. */
public final class UdpCounters {
    private UdpCounters() {}

    /** @param blocking null without a blocking handler */
    public static UdpStats snapshot(List<LoopCounters> loops, BlockingStage blocking) {
        long[] sum = new long[LoopCounters.HISTOGRAM + LoopCounters.BUCKETS];
        for (LoopCounters c : loops) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += c.get(i);
            }
        }
        long outPackets = sum[LoopCounters.PACKETS_OUT];
        long outBytes = sum[LoopCounters.BYTES_OUT];
        long handlerErrors = sum[LoopCounters.DROP_HANDLER];
        long oversize = sum[LoopCounters.DROP_OVERSIZE];
        long queueFull = sum[LoopCounters.DROP_QUEUE];
        long queued = 0;
        if (blocking != null) {
            outPackets += blocking.packetsOut.sum();
            outBytes += blocking.bytesOut.sum();
            handlerErrors += blocking.handlerErrors.sum();
            oversize += blocking.oversize.sum();
            queueFull += blocking.queueFull.sum();
            queued = blocking.queued();
        }
        Map<String, Long> drops = new LinkedHashMap<>();
        drops.put(UdpDropReason.RATE.label(), sum[LoopCounters.DROP_RATE]);
        drops.put(UdpDropReason.HANDLER_ERROR.label(), handlerErrors);
        drops.put(UdpDropReason.QUEUE_FULL.label(), queueFull);
        drops.put(UdpDropReason.OVERSIZE.label(), oversize);
        Map<Integer, Long> batches = new LinkedHashMap<>();
        for (int k = 0; k < LoopCounters.BUCKETS; k++) {
            batches.put(1 << k, sum[LoopCounters.HISTOGRAM + k]);
        }
        return new UdpStats(sum[LoopCounters.PACKETS_IN], sum[LoopCounters.BYTES_IN], outPackets, outBytes, drops,
                sum[LoopCounters.BATCHES], batches, sum[LoopCounters.SEND_ERRORS], sum[LoopCounters.EVICTED], queued);
    }
}
