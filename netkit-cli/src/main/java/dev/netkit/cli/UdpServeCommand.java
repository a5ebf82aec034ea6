package dev.netkit.cli;

import dev.netkit.metrics.NetkitMetrics;
import dev.netkit.netty.transport.IoThreads;
import dev.netkit.netty.transport.TransportKind;
import dev.netkit.netty.udp.DatagramHandler;
import dev.netkit.netty.udp.UdpServer;
import dev.netkit.netty.udp.UdpServerConfig;
import dev.netkit.netty.udp.UdpStats;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code netkit udp-serve}: a UDP echo or sink server. Contract relied on by other tooling: the
 * first stdout line is {@code listening on HOST:PORT}; on SIGTERM or SIGINT it stops, its last
 * stdout line is {@code received N packets}, and it exits 0. The other counters (answers, drops by
 * reason, batches) go to stderr. With {@code --metrics-port} it also serves Prometheus metrics.
 */
@Command(name = "udp-serve", mixinStandardHelpOptions = true,
        description = "Run a UDP echo or sink server until SIGTERM/SIGINT.")
public final class UdpServeCommand implements Callable<Integer> {
    /** What the server does with each datagram. */
    enum Mode { ECHO, SINK }

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "7070", description = "Port to bind, 0 for any free port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--mode", defaultValue = "echo",
            description = "echo (answer each datagram with its bytes) or sink (answer nothing) (default: ${DEFAULT-VALUE}).")
    Mode mode;

    @Option(names = "--io-threads", description = "I/O threads, one SO_REUSEPORT socket each on epoll (default: half the cores, at least 1).")
    Integer ioThreads;

    @Option(names = "--transport", defaultValue = "auto",
            description = "auto (epoll if available, else nio), epoll, io_uring or nio; nio and io_uring bind one socket (default: ${DEFAULT-VALUE}).")
    TransportKind transport;

    @Option(names = "--max-datagram-size", defaultValue = "2048", paramLabel = "BYTES",
            description = "Largest datagram received, 1..65507; larger ones are dropped and counted (default: ${DEFAULT-VALUE}).")
    int maxDatagramSize;

    @Option(names = "--receive-batch", defaultValue = "32", paramLabel = "N",
            description = "Datagrams per recvmmsg call on epoll, 1..1024 (default: ${DEFAULT-VALUE}).")
    int receiveBatch;

    @Option(names = "--rate-per-source", defaultValue = "0", paramLabel = "PPS",
            description = "Datagrams per second one source IP may send (a burst of one second's worth); 0 = no limit (default: ${DEFAULT-VALUE}).")
    double ratePerSource;

    @Option(names = "--udp-gro", description = "Receive with UDP_GRO (epoll; turns recvmmsg off, see README).")
    boolean udpGro;

    @Mixin
    MetricsOptions metricsOptions;

    private UdpServerConfig config() {
        try {
            return UdpServerConfig.builder()
                    .host(host).port(port)
                    .ioThreads(ioThreads == null ? IoThreads.defaultCount() : ioThreads)
                    .transport(transport)
                    .maxDatagramSize(maxDatagramSize).receiveBatch(receiveBatch).ratePerSource(ratePerSource).udpGro(udpGro)
                    .build();
        } catch (IllegalArgumentException e) { // name the option rather than the field
            throw new IllegalArgumentException(e.getMessage()
                    .replace("maxDatagramSize", "--max-datagram-size").replace("receiveBatch", "--receive-batch")
                    .replace("ratePerSource", "--rate-per-source").replace("ioThreads", "--io-threads"), e);
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        UdpServerConfig config = config();
        UdpServer server = UdpServer.builder().config(config)
                .handler(mode == Mode.ECHO ? DatagramHandler.echo() : DatagramHandler.sink()).start();
        PrintStream out = System.out;
        MetricsOptions.Running metrics;
        try {
            metrics = metricsOptions.start();
        } catch (IOException e) {
            server.stop();
            System.err.println("netkit udp-serve: " + e.getMessage());
            return 2;
        }
        if (metrics != null) {
            NetkitMetrics.bind(metrics.registry(), server); // lives as long as the process
        }
        GracefulStop stop = GracefulStop.install("netkit-udp-serve-shutdown", () -> { // as in `netkit serve`
            server.stop();
            UdpStats s = server.stats();
            System.err.println("netkit udp-serve: answered " + s.packetsOut() + ", dropped " + s.drops()
                    + ", " + s.readBatches() + " receive batches (mean " + String.format(java.util.Locale.ROOT, "%.1f", s.meanBatchSize()) + ")");
            out.println("received " + s.packetsIn() + " packets");
            out.flush();
            if (metrics != null) {
                metrics.close();
            }
        });

        out.println("listening on " + host + ":" + server.localAddress().getPort());
        out.flush();
        System.err.println("netkit udp-serve: " + mode.name().toLowerCase(java.util.Locale.ROOT) + " mode, transport "
                + server.transportName() + ", " + server.sockets() + " socket(s); stop with Ctrl-C or SIGTERM");
        if (metrics != null) {
            System.err.println(metrics.announcement());
        }
        stop.awaitAndStop();
        return 0;
    }
}
