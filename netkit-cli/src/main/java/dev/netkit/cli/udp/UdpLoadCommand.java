package dev.netkit.cli.udp;

import dev.netkit.netty.transport.TransportKind;
import dev.netkit.netty.udp.UdpServerConfig;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code netkit udp-load}: sends datagrams to a UDP echo server (rate-paced or flat out) and
 * verifies every echo: sequence number, send time and filler bytes. Reports sent, received, lost,
 * packets per second both ways, mismatched echoes and latency percentiles (HdrHistogram). With
 * {@code --json} the last stdout line is one JSON object ({@code sent}, {@code received},
 * {@code lost}, {@code sent_pps}, {@code received_pps}, {@code mismatched}, {@code latency_us} …).
 *
 * <p>Exit status: 0 when echoes came back and none mismatched (with {@code --no-echo}: when
 * anything was sent); 1 otherwise; 2 for invalid options or an unknown host.
 */
@Command(name = "udp-load", mixinStandardHelpOptions = true,
        description = "Drive a UDP echo server (or, with --no-echo, a sink) and verify every echo.")
public final class UdpLoadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--target", required = true, paramLabel = "HOST:PORT", description = "The server to load.")
    String target;

    @Option(names = "--size", defaultValue = "64", paramLabel = "BYTES",
            description = "Payload bytes per datagram, 16..65507 (a sequence number and a send time, then filler) (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--duration", defaultValue = "10s", description = "How long to send (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "PPS",
            description = "Datagrams per second over all sockets; 0 = flat out (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = {"--sockets", "--connections"}, defaultValue = "1", paramLabel = "N",
            description = "Sockets (source ports) to send from (default: ${DEFAULT-VALUE}).")
    int sockets;

    @Option(names = "--io-threads", defaultValue = "1", description = "Event loop threads (default: ${DEFAULT-VALUE}).")
    int ioThreads;

    @Option(names = "--transport", defaultValue = "auto",
            description = "auto (epoll if available, else nio), epoll, io_uring or nio (default: ${DEFAULT-VALUE}).")
    TransportKind transport;

    @Option(names = "--no-echo", description = "The target answers nothing (a sink): measure sending only.")
    boolean noEcho;

    @Option(names = "--json", description = "Print the report as one JSON line.")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        UdpLoadRun run;
        try {
            run = new UdpLoadRun(address(target), target, check(), sockets, rate, !noEcho, duration, ioThreads, transport);
        } catch (IllegalArgumentException e) {
            err.println("netkit udp-load: " + e.getMessage());
            err.flush();
            return 2;
        }
        UdpLoadResult result = run.run();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(result.json());
            out.flush();
        } else {
            result.printText(out);
        }
        boolean ok = noEcho ? result.sent() > 0 : result.received() > 0 && result.mismatched() == 0;
        return ok ? 0 : 1;
    }

    private int check() {
        if (size < UdpFlow.HEADER || size > UdpServerConfig.MAX_UDP_PAYLOAD) {
            throw new IllegalArgumentException("--size: " + size + " (expected " + UdpFlow.HEADER + ".."
                    + UdpServerConfig.MAX_UDP_PAYLOAD + ": the payload carries a sequence number and a send time)");
        }
        if (sockets < 1 || sockets > 4096) {
            throw new IllegalArgumentException("--sockets: " + sockets + " (expected 1..4096)");
        }
        if (ioThreads < 1) {
            throw new IllegalArgumentException("--io-threads: " + ioThreads + " (expected >= 1)");
        }
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("--rate: " + rate + " (expected >= 0, 0 = flat out)");
        }
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("--duration: " + duration + " (expected > 0)");
        }
        return size;
    }

    /** Parses {@code HOST:PORT} ({@code [v6]:PORT} for IPv6) and resolves the host once. */
    static InetSocketAddress address(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("--target: '" + text + "' (expected HOST:PORT)");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--target: '" + text + "': port is not a number (expected HOST:PORT)");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("--target: '" + text + "': port " + port + " (expected 1..65535)");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--target: '" + text + "': unknown host " + host);
        }
    }
}
