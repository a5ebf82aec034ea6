package dev.netkit.cli.load;

import dev.netkit.cli.MetricsOptions;
import dev.netkit.cli.tls.LoadTlsOptions;
import dev.netkit.cli.load.report.ReportFiles;
import dev.netkit.core.error.NetkitException;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code netkit load}: drives any anet-protocol server through the broker and reports throughput,
 * latency, errors by kind and mismatched responses. With {@code --json} the last stdout line is
 * one JSON object and the progress lines go to stderr.
 *
 * <p>Requests are spread over the targets by a load balancer ({@code --lb}, weights and zones in
 * {@code --target host:port=WEIGHT@ZONE}) with passive outlier detection; the report gives each
 * target's share, the balancer's events (ejections, returns...) and a per-second timeline. A
 * target that fails (killed, restarted) never stops the run: its errors are counted by kind.
 *
 * <p>{@code --html FILE} also writes the report as a self-contained page with charts, {@code --hdr FILE}
 * the latencies as HdrHistogram's interval log (one histogram per second).
 *
 * <p>Exit status: 0 when at least one request succeeded and none mismatched; 1 otherwise; 2 when
 * the targets could not be reached, the options are invalid or a report file could not be written.
 *
 * <p>Output goes to the command line's {@code getOut()}/{@code getErr()} (stdout/stderr unless
 * replaced with {@code setOut}/{@code setErr}, as tests do).
 */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Drive anet-protocol servers with pipelined requests and verify every response.")
public final class LoadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--target", required = true, split = ",", paramLabel = "TARGET",
            description = "Targets to load, comma-separated: host:port[=WEIGHT][@ZONE]; WEIGHT 1..10000 (default 1) "
                    + "matters to the weighted strategies, ZONE to --local-zone.")
    List<String> targets;

    @Mixin
    BalancerOptions balancing;

    @Option(names = "--connections", defaultValue = "16", description = "Connections per target (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--depth", defaultValue = "16", description = "Requests outstanding per connection (default: ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = "--size", defaultValue = "64", description = "Payload bytes per request, 0..65531 (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--duration", defaultValue = "10s", description = "Measured time (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "2s", description = "Unmeasured time before it (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--timeout", defaultValue = "5s", description = "Deadline of each request (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--io-threads", defaultValue = "1", description = "Client event loop threads (default: ${DEFAULT-VALUE}).")
    int ioThreads;

    @Option(names = "--validation-interval", defaultValue = "0s",
            description = "Validate idle pooled connections with a ping this often; 0s = off (default: ${DEFAULT-VALUE}).")
    Duration validationInterval;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "RPS",
            description = "Open-loop load: start RPS requests per second whatever the answers do; latencies are measured "
                    + "from each request's intended send time (coordinated omission corrected). 0 = closed loop "
                    + "(default: ${DEFAULT-VALUE}).")
    long rate;

    @Option(names = "--json", description = "Print the final report as one JSON line (progress goes to stderr).")
    boolean json;

    @Option(names = "--html", paramLabel = "FILE",
            description = "Also write the report as a self-contained HTML page with charts.")
    Path html;

    @Option(names = "--hdr", paramLabel = "FILE",
            description = "Also write the latencies as an HdrHistogram interval log (one histogram per second).")
    Path hdr;

    @Mixin
    MetricsOptions metricsOptions;

    @Mixin
    LoadTlsOptions tlsOptions;

    @Override
    public Integer call() throws InterruptedException {
        LoadPlan plan;
        ReportFiles files;
        try {
            files = ReportFiles.of(html, hdr);
            plan = new LoadPlan(TargetSpec.parseAll(targets), connections, depth, size,
                    duration, warmup, timeout, ioThreads, validationInterval, balancing.balancing(), rate,
                    tlsOptions.config());
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("netkit load: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 2;
        }
        PrintWriter err = spec.commandLine().getErr();
        try (MetricsOptions.Running metrics = metricsOptions.start()) {
            if (metrics != null) {
                err.println(metrics.announcement());
                err.flush();
            }
            return run(plan, json, files, spec.commandLine().getOut(), err, metrics == null ? null : metrics.registry(),
                    metrics != null && metrics.histograms());
        } catch (IOException e) {
            err.println("netkit load: " + e.getMessage());
            err.flush();
            return 2;
        }
    }

    /**
     * Runs a plan, prints its report and writes its files, the broker's meters on {@code registry}
     * (null: none; with {@code latencyTimers}, a latency timer per endpoint too); shared with
     * {@code netkit demo}. Returns the exit status.
     */
    static int run(LoadPlan plan, boolean json, ReportFiles files, PrintWriter out, PrintWriter err, MeterRegistry registry,
                   boolean latencyTimers) throws InterruptedException {
        PrintWriter progress = json ? err : out;
        LoadResult result;
        LoadGenerator generator;
        try {
            files.open();
            generator = new LoadGenerator(plan, progress, files.intervals(), registry, latencyTimers);
            result = generator.run();
        } catch (NetkitException | IOException e) {
            files.discard();
            err.println("netkit load: " + e.getMessage());
            err.flush();
            return 2;
        } catch (InterruptedException | RuntimeException e) {
            files.discard();
            throw e;
        }
        if (json) {
            out.println(LoadReport.json(plan, result));
            out.flush();
        } else {
            LoadReport.printText(out, plan, generator.transportName(), result);
        }
        try {
            files.write(plan, generator.transportName(), result).forEach(f -> progress.println("report written to " + f));
            progress.flush();
        } catch (IOException e) {
            files.discard();
            err.println("netkit load: " + e.getMessage());
            err.flush();
            return 2;
        }
        return result.requests() > 0 && result.mismatched() == 0 ? 0 : 1;
    }

    /** Entry for {@code netkit demo}. */
    public static int runPlan(LoadPlan plan, PrintWriter out, PrintWriter err) throws InterruptedException {
        return run(plan, false, ReportFiles.none(), out, err, null, false);
    }
}
