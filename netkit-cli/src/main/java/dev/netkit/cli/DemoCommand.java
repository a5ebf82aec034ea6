package dev.netkit.cli;

import dev.netkit.cli.demo.DemoBackends;
import dev.netkit.cli.demo.FailoverTimeline;
import dev.netkit.cli.demo.FailureTally;
import dev.netkit.cli.load.BalancerEventLog;
import dev.netkit.cli.load.Balancing;
import dev.netkit.cli.load.LbChoice;
import dev.netkit.cli.load.LoadGenerator;
import dev.netkit.cli.load.LoadPlan;
import dev.netkit.cli.load.LoadReport;
import dev.netkit.cli.load.LoadResult;
import dev.netkit.cli.load.report.ReportFiles;
import dev.netkit.core.balance.BalancerStats;
import dev.netkit.core.balance.EndpointStats;
import dev.netkit.core.balance.OutlierConfig;
import dev.netkit.core.balance.WeightedEndpoint;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.NetkitException;
import dev.netkit.gateway.Gateway;
import dev.netkit.gateway.config.GatewayConfig;
import dev.netkit.gateway.config.GatewayConfigParser;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerHooks;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/*
 * Design note. Everything runs in this process: three echo backends (DemoBackends, one event loop),
 * a request-level gateway in front of them (started from YAML, one event loop, health checks every
 * 500 ms), and the load generator (one event loop) sending through the gateway. The schedule is
 * anchored on the load's measured window (LoadGenerator.windowStart): backend 2 is stopped at one
 * third of it and started again on the same port at two thirds, from a timer thread.
 *
 * One BalancerEventLog hears the gateway's balancer (ejections, health, returns) and the demo's
 * own kill/restart marks, and is the load generator's log too, so the load report, the HTML chart
 * and the failover timeline all show the gateway's view on the load's time axis. The load's own
 * balancer (one target: the gateway) has passive ejection off, so it adds nothing to that log.
 *
 * Judging the run: the gateway's on_failure is drop, so a request it cannot serve is not answered
 * and the client's deadline (1 s) fires. The gateway retries what was never written on another
 * backend; only requests written to the victim and unanswered when it died fail for good (counted
 * by a FailureTally on the gateway's broker). The run is clean when every response was verified
 * and the load saw no more failures than that.
 */
/**
 * {@code netkit demo}: three embedded echo backends, a request-level gateway in front of them and
 * verified load through it; backend 2 is killed at one third of the measured time and restarted at
 * two thirds. Prints the live progress, the load report, the failover timeline as the gateway saw
 * it and the path of an HTML report.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {
                "Three embedded echo backends, a request-level gateway (protocol anet, health checks every 500ms) in "
                        + "front of them, and verified pipelined load through it with live progress, all on loopback "
                        + "in this process. Backend 2 is killed at one third of the measured time and restarted on "
                        + "the same port at two thirds.",
                "Then: the load report, the failover timeline as the gateway saw it (ejection, health, return, "
                        + "requests per backend, failed requests) and the path of an HTML report (a temporary file).",
                "Exit status: 0 when every response was verified and no more requests failed than the gateway "
                        + "lost in flight on the killed backend; 1 otherwise."})
public final class DemoCommand implements Callable<Integer> {
    /** The backend killed and restarted (0-based; "backend 2" in the output). */
    private static final int VICTIM = 1;
    private static final int BACKENDS = 3;
    /** The load's deadline per request: what a client waits for a request the gateway dropped. */
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    /** After the run, how long to wait for the victim to be back in service if it is not yet. */
    private static final Duration RETURN_WAIT = Duration.ofSeconds(3);
    private static final String LISTENER = "front";

    @Spec
    CommandSpec spec;

    @Option(names = "--duration", defaultValue = "12s", description = "Measured time (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "2s", description = "Unmeasured time before it (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--connections", defaultValue = "16", description = "Connections to the gateway (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--depth", defaultValue = "16", description = "Requests outstanding per connection (default: ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = "--size", defaultValue = "64", description = "Payload bytes (default: ${DEFAULT-VALUE}).")
    int size;

    private static final String BALANCER_LOG_LEVEL = "org.slf4j.simpleLogger.log.dev.netkit.broker.balancer";

    @Override
    public Integer call() throws InterruptedException, IOException {
        PrintWriter out = spec.commandLine().getOut();
        // The balancer's WARN lines (ejected, unhealthy) would land between the progress lines; the
        // same events are collected by BalancerEventLog and printed as the failover timeline. Read by
        // slf4j-simple when the logger is first made, which is after this point.
        System.getProperties().putIfAbsent(BALANCER_LOG_LEVEL, "error");
        Path html = Files.createTempFile("netkit-demo-", ".html");
        BalancerEventLog events = new BalancerEventLog(BalancerEventLog.DEFAULT_CAPACITY);
        FailureTally tally = new FailureTally();
        ScheduledExecutorService chaos = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "netkit-demo-chaos");
            t.setDaemon(true);
            return t;
        });
        try (DemoBackends backends = DemoBackends.start(BACKENDS);
             Gateway gateway = Gateway.start(gatewayConfig(backends), 1,
                     BrokerHooks.builder().balancerListener(events).requestObserver(tally).build())) {
            Endpoint front = new Endpoint("127.0.0.1", gateway.address(LISTENER).getPort());
            LoadPlan plan = new LoadPlan(List.of(WeightedEndpoint.of(front)), connections, depth, size, duration, warmup,
                    TIMEOUT, 1, Duration.ZERO,
                    new Balancing(LbChoice.ROUND_ROBIN, OutlierConfig.disabled(), "", 1, Duration.ZERO, true));
            printSetup(out, backends, front);
            ReportFiles files = ReportFiles.of(html, null);
            files.open();
            LoadGenerator generator = new LoadGenerator(plan, out, files.intervals(), null, false, events);
            Endpoint victim = backends.endpoint(VICTIM);
            AtomicLong inFlightAtKill = new AtomicLong(); // written on the chaos thread
            CompletableFuture<Void> restarted = new CompletableFuture<>();
            generator.windowStart().thenAccept(start -> {
                long third = duration.toNanos() / 3;
                chaos.schedule(() -> {
                    inFlightAtKill.set(outstanding(gateway, victim));
                    events.mark("killed", victim, "listener and connections closed");
                    backends.kill(VICTIM);
                }, start + third - System.nanoTime(), TimeUnit.NANOSECONDS);
                chaos.schedule(() -> {
                    try {
                        backends.restart(VICTIM);
                        events.mark("restarted", victim, "listening again on the same port");
                        restarted.complete(null);
                    } catch (Exception e) {
                        restarted.completeExceptionally(e);
                    }
                }, start + 2 * third - System.nanoTime(), TimeUnit.NANOSECONDS);
            });
            LoadResult result;
            try {
                result = generator.run();
            } catch (NetkitException e) {
                Files.deleteIfExists(html);
                spec.commandLine().getErr().println("netkit demo: " + e.getMessage());
                spec.commandLine().getErr().flush();
                return 2;
            }
            LoadReport.printText(out, plan, generator.transportName(), result);
            FailoverTimeline timeline = awaitReturn(events, victim, generator.windowStart().join(), restarted);
            timeline.print(out, "backend " + (VICTIM + 1));
            printBackends(out, backends, gateway);
            boolean clean = printVerdict(out, result, tally, victim, inFlightAtKill.get(), restarted);
            for (Path written : files.write(plan, generator.transportName(), result)) {
                out.println("html report  " + written);
            }
            out.flush();
            return clean ? 0 : 1;
        } finally {
            chaos.shutdownNow();
        }
    }

    private static GatewayConfig gatewayConfig(DemoBackends backends) {
        String endpoints = java.util.stream.IntStream.range(0, backends.size())
                .mapToObj(i -> "\"" + backends.endpoint(i) + "\"").collect(Collectors.joining(", "));
        return new GatewayConfigParser().parse("""
                listeners:
                  - name: %s
                    bind: 127.0.0.1:0
                    protocol: anet
                    cluster: backends
                clusters:
                  - name: backends
                    endpoints: [ %s ]
                    lb: least-outstanding
                    health: { interval: 500ms, timeout: 250ms, unhealthy_threshold: 2, probe: "ping" }
                    timeouts: { request: 1s }
                """.formatted(LISTENER, endpoints), "demo");
    }

    private void printSetup(PrintWriter out, DemoBackends backends, Endpoint front) {
        long third = duration.toMillis() / 3;
        out.printf(Locale.ROOT, "netkit demo: %d echo backends on %s (transport %s)%n", backends.size(),
                java.util.stream.IntStream.range(0, backends.size()).mapToObj(i -> backends.endpoint(i).toString())
                        .collect(Collectors.joining(", ")), backends.transportName());
        out.printf(Locale.ROOT, "             gateway (anet, 1 I/O thread) on %s: least-outstanding, health checks every 500ms, "
                + "outlier ejection after 5 failures in a row%n", front);
        out.printf(Locale.ROOT, "             (its balancer's log lines are shown as the failover timeline at the end)%n");
        out.printf(Locale.ROOT, "             load through it: %d connection(s) x depth %d, %d-byte payloads, %s warm-up + %s measured; "
                        + "backend %d killed at +%d ms, restarted at +%d ms%n",
                connections, depth, size, DurationConverter.format(warmup), DurationConverter.format(duration),
                VICTIM + 1, third, 2 * third);
        out.flush();
    }

    /** The gateway's requests outstanding on {@code endpoint} now, or 0 before its first request. */
    private static long outstanding(Gateway gateway, Endpoint endpoint) {
        Broker broker = gateway.clusters().getFirst().brokerIfCreated();
        if (broker == null) {
            return 0;
        }
        return broker.balancerStats().endpoints().stream().filter(s -> s.address().equals(endpoint))
                .mapToLong(EndpointStats::outstanding).sum();
    }

    /** The timeline, once the victim is back in service or {@link #RETURN_WAIT} after the run at most. */
    private static FailoverTimeline awaitReturn(BalancerEventLog events, Endpoint victim, long origin,
                                                CompletableFuture<Void> restarted) throws InterruptedException {
        long deadline = System.nanoTime() + RETURN_WAIT.toNanos();
        FailoverTimeline timeline = new FailoverTimeline(victim, origin, events.events());
        while (restarted.isDone() && !restarted.isCompletedExceptionally() && timeline.backInServiceAt().isEmpty()
                && System.nanoTime() < deadline) {
            Thread.sleep(50); // the gateway's next health check brings it back: poll its events until then
            timeline = new FailoverTimeline(victim, origin, events.events());
        }
        return timeline;
    }

    private static void printBackends(PrintWriter out, DemoBackends backends, Gateway gateway) {
        Broker broker = gateway.clusters().getFirst().brokerIfCreated();
        List<EndpointStats> stats = broker == null ? List.of() : broker.balancerStats().endpoints();
        for (int i = 0; i < backends.size(); i++) {
            Endpoint e = backends.endpoint(i);
            EndpointStats s = stats.stream().filter(x -> x.address().equals(e)).findFirst().orElse(null);
            String lives = backends.requestsPerLife(i).stream().map(n -> String.format(Locale.ROOT, "%,d", n))
                    .collect(Collectors.joining(" + "));
            out.printf(Locale.ROOT, "backend %d    %s  answered %,d  failed attempts %,d  ejections %d  now %s  (served %s; whole run)%n",
                    i + 1, e, s == null ? 0 : s.successes(), s == null ? 0 : s.failures(), s == null ? 0 : s.ejections(),
                    s == null ? "-" : s.status().name().toLowerCase(Locale.ROOT), lives);
        }
    }

    /** The failed requests and the verdict; true when the run is clean. */
    private static boolean printVerdict(PrintWriter out, LoadResult r, FailureTally tally, Endpoint victim,
                                        long inFlightAtKill, CompletableFuture<Void> restarted) {
        long lost = tally.lost(victim);
        out.printf(Locale.ROOT, "failed       %,d request(s) seen by the load%s%n", r.errors(), r.errorsByKind().isEmpty() ? ""
                : " (" + r.errorsByKind().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", ")) + ")");
        out.printf(Locale.ROOT, "             lost in flight on the killed backend: %,d (written to it and unanswered when it died; "
                + "it had %,d outstanding just before the kill); lost elsewhere: %,d%n",
                lost, inFlightAtKill, tally.lost() - lost);
        out.printf(Locale.ROOT, "             retried on the others: %,d (never written to it, so safe to send again)%n",
                tally.retried(victim));
        out.printf(Locale.ROOT, "             the gateway answers nothing to a request it cannot serve (on_failure: drop): "
                + "the client's %s deadline fires%n", DurationConverter.format(TIMEOUT));
        String restartFailure = restarted.isCompletedExceptionally()
                ? restarted.handle((v, e) -> e.getCause() == null ? e.toString() : e.getCause().toString()).join() : null;
        boolean clean = r.requests() > 0 && r.mismatched() == 0 && r.errors() <= lost && restartFailure == null;
        if (clean) {
            out.printf(Locale.ROOT, "verdict      clean: %,d responses verified, none mismatched; %,d failed <= %,d lost in flight "
                    + "on the killed backend%n", r.requests(), r.errors(), lost);
        } else {
            out.printf(Locale.ROOT, "verdict      NOT clean: %,d responses verified, %,d mismatched, %,d failed (at most %,d "
                            + "expected: the ones lost in flight on the killed backend)%s%n",
                    r.requests(), r.mismatched(), r.errors(), lost,
                    restartFailure == null ? "" : "; the restart failed: " + restartFailure);
        }
        return clean;
    }
}
