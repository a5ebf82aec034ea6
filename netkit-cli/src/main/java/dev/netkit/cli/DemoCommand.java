package dev.netkit.cli;

import dev.netkit.cli.load.LoadCommand;
import dev.netkit.cli.load.LoadPlan;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.FrameServerConfig;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.server.ServerStats;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code netkit demo}: starts an embedded echo server on loopback and drives it with the load
 * generator, showing live progress and the final report.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Embedded echo server + 10-second pipelined load on loopback, with live progress and a report.")
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--duration", defaultValue = "10s", description = "Measured time (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "2s", description = "Unmeasured time before it (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--connections", defaultValue = "16", description = "Connections (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--depth", defaultValue = "16", description = "Requests outstanding per connection (default: ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = "--size", defaultValue = "64", description = "Payload bytes (default: ${DEFAULT-VALUE}).")
    int size;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        try (FrameServer server = FrameServer.builder()
                .config(FrameServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1).build())
                .handler(RequestHandler.echo())
                .start()) {
            int port = server.localAddress().getPort();
            out.printf("netkit demo: echo server on 127.0.0.1:%d (transport %s); %d connection(s) x depth %d, "
                            + "%d-byte payloads, %s warm-up + %s measured%n",
                    port, server.transportName(), connections, depth, size,
                    DurationConverter.format(warmup), DurationConverter.format(duration));
            LoadPlan plan = new LoadPlan(List.of(new Endpoint("127.0.0.1", port)), connections, depth, size,
                    duration, warmup, Duration.ofSeconds(5), 1);
            int status = LoadCommand.runPlan(plan, out, spec.commandLine().getErr());
            server.stop();
            ServerStats stats = server.stats();
            out.printf("server       %,d requests on %d connection(s); %d handler errors, %d protocol violations%n",
                    stats.requests(), stats.connectionsAccepted(), stats.handlerErrors(), stats.protocolViolations());
            out.flush();
            return status;
        }
    }
}
