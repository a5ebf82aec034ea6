package dev.netkit.cli;

import dev.netkit.cli.tls.ServeTlsOptions;
import dev.netkit.core.ip.Cidr;
import dev.netkit.core.ip.CidrSet;
import dev.netkit.core.ip.IpPolicy;
import dev.netkit.metrics.NetkitMetrics;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.FrameServerConfig;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.server.ServerLimits;
import dev.netkit.netty.server.ServerStats;
import dev.netkit.netty.tls.TlsConfig;
import dev.netkit.netty.transport.IoThreads;
import dev.netkit.netty.transport.TransportKind;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code netkit serve}: an echo server (response = request payload). Contract relied on by other
 * tooling: the first stdout line is {@code listening on HOST:PORT}; on SIGTERM or SIGINT it stops
 * gracefully, its last stdout line is {@code served R requests on C connections}, and it exits 0.
 * With {@code --metrics-port} it also serves Prometheus metrics and says where on stderr
 * ({@code metrics on http://HOST:PORT/metrics}), after the {@code listening on} line. With
 * {@code --tls self-signed} the second stdout line is {@code tls self-signed sha256 HEX} (64 hex
 * digits), the fingerprint clients pin.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run an anet-protocol echo server until SIGTERM/SIGINT.")
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "7070", description = "Port to bind, 0 for any free port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--read-timeout", defaultValue = "10s", description = "Max time for one frame to arrive once started (default: ${DEFAULT-VALUE}).")
    Duration readTimeout;

    @Option(names = "--idle-timeout", defaultValue = "5m", description = "Close connections idle this long (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--max-connections", defaultValue = "10000", description = "Refuse connections beyond this (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--io-threads", description = "Event loop threads (default: half the cores, at least 1).")
    Integer ioThreads;

    @Option(names = "--transport", defaultValue = "auto",
            description = "auto (epoll if available, else nio), epoll, io_uring or nio (default: ${DEFAULT-VALUE}).")
    TransportKind transport;

    @Option(names = "--allow", split = ",", paramLabel = "CIDR", converter = CidrConverter.class,
            description = "Accept only clients in these networks (CIDR or address, comma-separated; repeatable). Default: everyone.")
    List<Cidr> allow = new ArrayList<>();

    @Option(names = "--deny", split = ",", paramLabel = "CIDR", converter = CidrConverter.class,
            description = "Refuse clients in these networks, even when allowed (comma-separated; repeatable).")
    List<Cidr> deny = new ArrayList<>();

    @Option(names = "--max-connections-per-ip", defaultValue = "0", paramLabel = "N",
            description = "Connections one client IP may have open at once; 0 = no limit (default: ${DEFAULT-VALUE}).")
    int maxConnectionsPerIp;

    @Option(names = "--max-new-connections-per-second-per-ip", defaultValue = "0", paramLabel = "R",
            description = "New connections per second one client IP may open (a bucket of one second's worth); 0 = no limit (default: ${DEFAULT-VALUE}).")
    double maxNewConnectionsPerSecondPerIp;

    @Option(names = "--rate-limit", paramLabel = "RPS[:BURST]", converter = RateSpec.Converter.class,
            description = "Requests per second for the whole server (burst default: one second's worth).")
    RateSpec rateLimit;

    @Option(names = "--per-connection-rate", paramLabel = "RPS[:BURST]", converter = RateSpec.Converter.class,
            description = "Requests per second for each connection.")
    RateSpec perConnectionRate;

    @Option(names = "--bandwidth", paramLabel = "BYTES[:BURST]", converter = RateSpec.Converter.class,
            description = "Request bytes per second for the whole server (frames, headers included; e.g. 10Mi:1Mi).")
    RateSpec bandwidth;

    @Option(names = "--per-connection-bandwidth", paramLabel = "BYTES[:BURST]", converter = RateSpec.Converter.class,
            description = "Request bytes per second for each connection.")
    RateSpec perConnectionBandwidth;

    @Option(names = "--per-client-rate", paramLabel = "RPS[:BURST]", converter = RateSpec.Converter.class,
            description = "Requests per second for each client IP address (all its connections together).")
    RateSpec perClientRate;

    @Option(names = "--per-client-bandwidth", paramLabel = "BYTES[:BURST]", converter = RateSpec.Converter.class,
            description = "Request bytes per second for each client IP address (all its connections together).")
    RateSpec perClientBandwidth;

    @Option(names = "--police",
            description = "Over a rate limit, close the connection (after answering what it started) instead of "
                    + "pausing its reads until tokens return (the default, shaping).")
    boolean police;

    @Mixin
    MetricsOptions metricsOptions;

    @Mixin
    ServeTlsOptions tlsOptions;

    /** Parses one CIDR; a bad one fails the option with one line naming it (exit 2). */
    static final class CidrConverter implements ITypeConverter<Cidr> {
        @Override
        public Cidr convert(String value) {
            try {
                return Cidr.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    private IpPolicy ipPolicy() {
        try {
            return IpPolicy.builder().allow(CidrSet.of(allow)).deny(CidrSet.of(deny))
                    .maxConnectionsPerIp(maxConnectionsPerIp).maxNewConnectionsPerSecondPerIp(maxNewConnectionsPerSecondPerIp)
                    .build();
        } catch (IllegalArgumentException e) { // name the option rather than the field
            throw new IllegalArgumentException(e.getMessage()
                    .replace("maxConnectionsPerIp", "--max-connections-per-ip")
                    .replace("maxNewConnectionsPerSecondPerIp", "--max-new-connections-per-second-per-ip"), e);
        }
    }

    private ServerLimits limits() {
        return new ServerLimits(rateLimit == null ? null : rateLimit.limit("--rate-limit"),
                bandwidth == null ? null : bandwidth.limit("--bandwidth"),
                perConnectionRate == null ? null : perConnectionRate.limit("--per-connection-rate"),
                perConnectionBandwidth == null ? null : perConnectionBandwidth.limit("--per-connection-bandwidth"),
                perClientRate == null ? null : perClientRate.limit("--per-client-rate"),
                perClientBandwidth == null ? null : perClientBandwidth.limit("--per-client-bandwidth"), police);
    }

    @Override
    public Integer call() throws InterruptedException {
        FrameServerConfig config = FrameServerConfig.builder()
                .host(host).port(port).readTimeout(readTimeout).idleTimeout(idleTimeout)
                .maxConnections(maxConnections)
                .ioThreads(ioThreads == null ? IoThreads.defaultCount() : ioThreads)
                .transport(transport)
                .ipPolicy(ipPolicy())
                .limits(limits())
                .tls(tlsOptions.config())
                .build();
        FrameServer server = FrameServer.builder().config(config).handler(RequestHandler.echo()).start();
        PrintStream out = System.out;
        MetricsOptions.Running metrics;
        try {
            metrics = metricsOptions.start();
        } catch (IOException e) {
            server.stop();
            System.err.println("netkit serve: " + e.getMessage());
            return 2;
        }
        if (metrics != null) {
            NetkitMetrics.bind(metrics.registry(), server); // lives as long as the process
        }

        GracefulStop stop = GracefulStop.install("netkit-serve-shutdown", () -> {
            server.stop();
            ServerStats stats = server.stats();
            out.println("served " + stats.requests() + " requests on " + stats.connectionsAccepted() + " connections");
            out.flush();
            if (metrics != null) {
                metrics.close();
            }
        });

        // Only now, with the handlers in place, may tooling learn the port and signal us.
        out.println("listening on " + host + ":" + server.localAddress().getPort());
        if (config.tls().mode() == TlsConfig.Mode.SELF_SIGNED) { // a contract too: clients pin it (load --tls-pin HEX)
            out.println("tls self-signed sha256 " + server.tlsFingerprint().orElseThrow());
        }
        out.flush();
        System.err.println("netkit serve: transport " + server.transportName() + ", " + config.ioThreads()
                + " I/O thread(s); stop with Ctrl-C or SIGTERM");
        if (config.limits().any()) {
            System.err.println("netkit serve: " + config.limits());
        }
        if (metrics != null) {
            System.err.println(metrics.announcement());
        }
        stop.awaitAndStop();
        return 0;
    }
}
