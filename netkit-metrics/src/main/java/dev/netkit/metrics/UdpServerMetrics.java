package dev.netkit.metrics;

import dev.netkit.netty.udp.UdpDropReason;
import dev.netkit.netty.udp.UdpServer;
import dev.netkit.netty.udp.UdpStats;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * The meters of one {@link UdpServer}, read from {@link UdpServer#stats()} at scrape time (nothing
 * on the data path). {@link #close()} removes them. Created by
 * {@link NetkitMetrics#bind(MeterRegistry, UdpServer, Tags)}.
 *
 * <p>Prometheus names: {@code netkit_udp_received_packets_total}, {@code netkit_udp_received_bytes_total},
 * {@code netkit_udp_sent_packets_total}, {@code netkit_udp_sent_bytes_total},
 * {@code netkit_udp_drops_total{reason=rate|handler_error|queue_full|oversize}},
 * {@code netkit_udp_read_batches_total} (mean batch size = received packets / batches),
 * {@code netkit_udp_batches_total{size="1"|"2"|"4"…"512"}} (batches of size to 2×size − 1 datagrams),
 * {@code netkit_udp_socket_errors_total}, {@code netkit_udp_sources_evicted_total} and the gauge
 * {@code netkit_udp_blocking_queued}.
 */
public final class UdpServerMetrics implements AutoCloseable {
    private final MeterGroup meters;

    UdpServerMetrics(MeterRegistry registry, UdpServer server, Tags tags) {
        Objects.requireNonNull(server, "server");
        this.meters = new MeterGroup(Objects.requireNonNull(registry, "registry"), Objects.requireNonNull(tags, "tags"), server);
        Snapshot<UdpStats> stats = new Snapshot<>(server::stats, NetkitMetrics.SNAPSHOT_TTL_NANOS);
        counter(stats, "netkit.udp.received.packets", "Datagrams received, dropped ones included", UdpStats::packetsIn);
        counter(stats, "netkit.udp.received.bytes", "Payload bytes received", UdpStats::bytesIn);
        counter(stats, "netkit.udp.sent.packets", "Answers handed to the sockets", UdpStats::packetsOut);
        counter(stats, "netkit.udp.sent.bytes", "Payload bytes of the answers", UdpStats::bytesOut);
        counter(stats, "netkit.udp.read.batches", "Receive batches", UdpStats::readBatches);
        counter(stats, "netkit.udp.socket.errors", "Errors the sockets reported", UdpStats::sendErrors);
        counter(stats, "netkit.udp.sources.evicted", "Sources forgotten by a full rate table", UdpStats::sourcesEvicted);
        meters.gauge("netkit.udp.blocking.queued", "Datagrams waiting for a blocking handler", () -> stats.get().blockingQueued());
        for (UdpDropReason r : UdpDropReason.values()) {
            meters.counter("netkit.udp.drops", "Datagrams dropped, by reason", () -> stats.get().drops(r), "reason", r.label());
        }
        for (int size : server.stats().batchSizes().keySet()) {
            meters.counter("netkit.udp.batches", "Receive batches by size (size to 2 x size - 1 datagrams)",
                    () -> stats.get().batchSizes().getOrDefault(size, 0L), "size", Integer.toString(size));
        }
    }

    private void counter(Snapshot<UdpStats> stats, String name, String description, ToLongFunction<UdpStats> field) {
        meters.counter(name, description, () -> field.applyAsLong(stats.get()));
    }

    /** Removes this server's meters from the registry. Idempotent. */
    @Override
    public void close() {
        meters.removeAll();
    }
}
