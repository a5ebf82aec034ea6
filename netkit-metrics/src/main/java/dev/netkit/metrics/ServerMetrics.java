package dev.netkit.metrics;

import dev.netkit.core.ip.IpRefusal;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.ServerStats;
import dev.netkit.netty.tls.TlsFailure;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * The meters of one {@link FrameServer}, read from {@link FrameServer#stats()} at scrape time
 * (nothing on the data path). {@link #close()} removes them. Created by
 * {@link NetkitMetrics#bind(MeterRegistry, FrameServer, Tags)}.
 *
 * <p>Prometheus names: {@code netkit_server_connections} (open now),
 * {@code netkit_server_connections_accepted_total}, {@code netkit_server_connections_rejected_total},
 * {@code netkit_server_requests_total}, {@code netkit_server_responses_total},
 * {@code netkit_server_no_reply_total}, {@code netkit_server_handler_errors_total},
 * {@code netkit_server_oversized_responses_total}, {@code netkit_server_protocol_violations_total},
 * {@code netkit_server_timeouts_total{type=read|idle|write}} (connections closed by a timeout),
 * {@code netkit_server_ip_refusals_total{reason=denied|not_allowed|max_connections_per_ip|rate_per_ip|too_many_ips}}
 * (connections closed at once by the client IP policy) and
 * {@code netkit_server_in_flight}, {@code netkit_server_received_bytes_total} and
 * {@code netkit_server_sent_bytes_total} (whole frames, headers included); rate limits:
 * {@code netkit_server_throttled_reads_total}, {@code netkit_server_throttled_seconds_total}
 * (time connections did not read, waiting for tokens, summed) and
 * {@code netkit_server_rate_limited_total} (connections closed by a limit); TLS:
 * {@code netkit_server_tls_handshakes_total}, {@code netkit_server_tls_failures_total{reason}}
 * (every {@link TlsFailure} label, e.g. {@code not_tls}, {@code handshake_timeout},
 * {@code unknown_ca}), {@code netkit_server_tls_reloads_total} and
 * {@code netkit_server_tls_reload_failures_total}.
 */
public final class ServerMetrics implements AutoCloseable {
    private final MeterGroup meters;

    ServerMetrics(MeterRegistry registry, FrameServer server, Tags tags) {
        Objects.requireNonNull(server, "server");
        this.meters = new MeterGroup(Objects.requireNonNull(registry, "registry"), Objects.requireNonNull(tags, "tags"), server);
        Snapshot<ServerStats> stats = new Snapshot<>(server::stats, NetkitMetrics.SNAPSHOT_TTL_NANOS);
        meters.gauge("netkit.server.connections", "Connections open now", () -> stats.get().activeConnections());
        meters.gauge("netkit.server.in.flight", "Requests being handled now", () -> stats.get().inFlight());
        counter(stats, "netkit.server.connections.accepted", "Connections admitted", ServerStats::connectionsAccepted);
        counter(stats, "netkit.server.connections.rejected", "Connections refused at maxConnections", ServerStats::connectionsRejected);
        counter(stats, "netkit.server.requests", "Request frames received and dispatched", ServerStats::requests);
        counter(stats, "netkit.server.responses", "Responses written", ServerStats::responses);
        counter(stats, "netkit.server.no.reply", "Requests whose handler sent nothing", ServerStats::noReply);
        counter(stats, "netkit.server.handler.errors", "Requests whose handler threw or failed", ServerStats::handlerErrors);
        counter(stats, "netkit.server.oversized.responses", "Responses over the frame limit, dropped", ServerStats::oversizedResponses);
        counter(stats, "netkit.server.protocol.violations", "Connections closed for a malformed frame", ServerStats::protocolViolations);
        counter(stats, "netkit.server.discarded.responses", "Answers completed after their client had left", ServerStats::discardedResponses);
        counter(stats, "netkit.server.handler.closed", "Connections closed because a handler asked to", ServerStats::handlerClosed);
        counter(stats, "netkit.server.received.bytes", "Bytes read from clients, frame headers included", ServerStats::bytesReceived);
        counter(stats, "netkit.server.sent.bytes", "Bytes handed to clients' connections, frame headers included", ServerStats::bytesSent);
        counter(stats, "netkit.server.throttled.reads", "Times a connection stopped reading to wait for rate-limit tokens",
                ServerStats::throttledReads);
        meters.counter("netkit.server.throttled.seconds", "Time connections did not read, waiting for rate-limit tokens",
                () -> stats.get().throttledNanos() / 1e9);
        counter(stats, "netkit.server.rate.limited", "Connections closed by a rate limit", ServerStats::rateLimited);
        String timeouts = "netkit.server.timeouts";
        String what = "Connections closed by a timeout";
        meters.counter(timeouts, what, () -> stats.get().readTimeouts(), "type", "read");
        meters.counter(timeouts, what, () -> stats.get().idleTimeouts(), "type", "idle");
        meters.counter(timeouts, what, () -> stats.get().writeTimeouts(), "type", "write");
        for (IpRefusal r : IpRefusal.values()) {
            meters.counter("netkit.server.ip.refusals", "Connections refused by the client IP policy",
                    () -> stats.get().ipRefusals().getOrDefault(r.label(), 0L), "reason", r.label());
        }
        counter(stats, "netkit.server.tls.handshakes", "TLS handshakes completed", ServerStats::tlsHandshakes);
        for (TlsFailure f : TlsFailure.values()) {
            meters.counter("netkit.server.tls.failures", "Connections closed for a TLS reason",
                    () -> stats.get().tlsFailures().getOrDefault(f.label(), 0L), "reason", f.label());
        }
        counter(stats, "netkit.server.tls.reloads", "TLS material reloads that took effect", ServerStats::tlsReloads);
        counter(stats, "netkit.server.tls.reload.failures", "TLS reloads refused (broken files; the old set stayed)",
                ServerStats::tlsReloadFailures);
    }

    private void counter(Snapshot<ServerStats> stats, String name, String description, ToLongFunction<ServerStats> field) {
        meters.counter(name, description, () -> field.applyAsLong(stats.get()));
    }

    /** Removes this server's meters from the registry. Idempotent. */
    @Override
    public void close() {
        meters.removeAll();
    }
}
