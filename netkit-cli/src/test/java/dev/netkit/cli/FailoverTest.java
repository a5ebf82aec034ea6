package dev.netkit.cli;

import static dev.netkit.cli.JsonFields.list;
import static dev.netkit.cli.JsonFields.map;
import static dev.netkit.cli.JsonFields.number;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover end to end: {@code netkit load --lb least-outstanding --health-interval 500ms} (and
 * the default retry of requests that were never written) against three {@code netkit serve}
 * child JVMs, one of which is killed with SIGKILL 3 s into the measured window and
 * restarted on the same port 3 s later. Everything is read from the load's {@code --json} report
 * (events, per-target counts, per-second timeline), which the test also prints for the CI log.
 */
@EnabledOnOs(OS.LINUX) // SIGKILL via destroyForcibly, loopback port reuse
class FailoverTest {
    private static final long WARMUP_MS = 1_000;
    /*
     * 18 s: killed at 3 s, restarted at 6 s; active health checks every 500 ms (2 passes to come
     * back) return it about a second after the restart. Recovery is judged on the best 3 s after
     * the return, with room for it: the restarted server is a cold JVM whose JIT compilation
     * shares the 2 cores with the load and the other servers for several seconds (with 12 s runs
     * the last 3 s came out at 84-89 % of the pre-kill rate in some runs although the balancer
     * had the victim at its full share again; in 20 s runs, 99-121 %).
     */
    private static final long DURATION_MS = 18_000;
    private static final long TIMEOUT_MS = 2_000;
    private static final long KILL_AT_MS = 3_000; // into the measured window, roughly
    private static final long RESTART_AT_MS = 6_000;
    private static final int CONNECTIONS = 2;
    private static final int DEPTH = 8;
    private static final long HEALTH_INTERVAL_MS = 500;
    private static final int EJECT_AFTER = 5; // the balancer's default, which the load uses
    private static final Pattern FIRST_PROGRESS_LINE = Pattern.compile("(?m)^\\[\\s*1\\.\\ds\\]");

    @TempDir
    Path tmp;

    private final List<ServeProcess> servers = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService chaos = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService loader = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopEverything() throws InterruptedException {
        chaos.shutdownNow();
        loader.shutdownNow();
        chaos.awaitTermination(30, TimeUnit.SECONDS); // a restart in progress finishes, then is killed below
        for (ServeProcess s : servers) {
            s.close();
        }
    }

    @Test
    void aKilledBackendIsEjectedAtOnceAndServesAgainAfterItsRestartWhileTheLoadGoesOn() throws Exception {
        ServeProcess a = serve(0, "a");
        ServeProcess b = serve(0, "b");
        ServeProcess victim = serve(0, "victim");
        int victimPort = victim.port();
        String victimTarget = victim.target();

        StringWriter progress = new StringWriter(); // with --json the per-second progress lines go to stderr
        Future<CliRun> load = loader.submit(() -> CliRun.execute(Duration.ofSeconds(60), progress,
                "load", "--target", a.target() + "," + b.target() + "," + victimTarget,
                "--lb", "least-outstanding", "--connections", Integer.toString(CONNECTIONS), "--depth", Integer.toString(DEPTH),
                "--duration", DURATION_MS + "ms", "--warmup", WARMUP_MS + "ms", "--timeout", TIMEOUT_MS + "ms",
                "--ejection-time", "1s", "--health-interval", HEALTH_INTERVAL_MS + "ms", "--json"));
        // The schedule is anchored on the first progress line, printed 1 s into the measured window
        // (JVM start, connecting and warm-up take a variable time on a busy machine).
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                .until(() -> FIRST_PROGRESS_LINE.matcher(progress.toString()).find() || load.isDone());
        assertThat(load.isDone()).as("the load ended before its first progress line:\n%s", progress).isFalse();
        long oneSecondIn = System.currentTimeMillis();

        long[] killedAtEpoch = new long[1];
        Future<?> kill = chaos.schedule(() -> {
            killedAtEpoch[0] = System.currentTimeMillis(); // SIGKILL goes out now: nothing can be ejected earlier
            victim.kill();
            return null;
        }, KILL_AT_MS - (System.currentTimeMillis() - oneSecondIn) - 1_000, TimeUnit.MILLISECONDS);
        long[] restartedAtEpoch = new long[1];
        Future<?> restart = chaos.schedule(() -> {
            ServeProcess again = serve(victimPort, "victim-restarted"); // the same port: SO_REUSEADDR
            restartedAtEpoch[0] = System.currentTimeMillis(); // listening from here on
            return again;
        }, RESTART_AT_MS - (System.currentTimeMillis() - oneSecondIn) - 1_000, TimeUnit.MILLISECONDS);

        CliRun run = load.get(70, TimeUnit.SECONDS);
        kill.get(30, TimeUnit.SECONDS);
        restart.get(30, TimeUnit.SECONDS);

        assertThat(run.exitCode()).as(run.describe()).isZero();
        Map<String, Object> json = MiniJson.parseObject(run.lastOutLine());
        long start = (long) number(json, "start_epoch_ms");
        long killMs = killedAtEpoch[0] - start;
        long restartMs = restartedAtEpoch[0] - start;
        List<Map<String, Object>> events = list(json, "events");
        List<Map<String, Object>> timeline = list(json, "timeline");
        System.out.println(describe(json, victimTarget, killMs, restartMs));
        assertThat(number(map(json, "outlier"), "eject_after")).isEqualTo(EJECT_AFTER);

        // The run completed: the dead backend's errors were counted, not fatal.
        assertThat(number(json, "duration_s")).as(run.describe()).isBetween(DURATION_MS / 1000.0 - 0.5, DURATION_MS / 1000.0 + 2);
        assertThat(number(json, "mismatched")).isZero();
        assertThat(killMs).as("the kill landed inside the measured window").isBetween(1_000L, DURATION_MS - 6_000);

        // No request outlived its deadline: successes and failures alike ended within the timeout.
        assertThat(number(map(json, "latency_us"), "max")).isLessThanOrEqualTo(TIMEOUT_MS * 1000.0);
        assertThat(number(json, "failed_max_us")).isLessThanOrEqualTo(TIMEOUT_MS * 1000.0 + 250_000);

        // Only the victim failed, and only as a lost or refused connection (no timeouts).
        Map<String, Object> victimStats = endpoint(json, victimTarget);
        double errors = number(json, "errors");
        assertThat(map(json, "errors_by_kind")).as(run.describe()).containsOnlyKeys("connection_lost");
        // The victim's own count is of failed attempts on it, the ones retried elsewhere included.
        assertThat(number(victimStats, "errors")).isGreaterThanOrEqualTo(errors);
        for (Map<String, Object> e : list(json, "endpoints")) {
            if (!e.get("address").equals(victimTarget)) {
                assertThat(number(e, "errors")).as("errors of %s", e.get("address")).isZero();
                assertThat(number(e, "ejections")).as("ejections of %s", e.get("address")).isZero();
            }
        }

        // How many failed: at most the requests in flight on its connections when it died
        // (CONNECTIONS x DEPTH), which were written and so are not retried. Everything else that
        // met the dead backend (queued on its dying connections, refused connects, fail-fast
        // picks while its pool backs off) was never written and was retried on another backend.
        assertThat(errors).as("errors; %s request(s) retried", json.get("retried")).isLessThanOrEqualTo(CONNECTIONS * DEPTH);

        // Ejected at once: the first ejection follows the kill within a second.
        List<Map<String, Object>> victimEvents = events.stream().filter(e -> victimTarget.equals(e.get("endpoint"))).toList();
        Map<String, Object> firstEjection = victimEvents.stream().filter(e -> "ejected".equals(e.get("type"))).findFirst()
                .orElseThrow(() -> new AssertionError("no ejection of " + victimTarget + " in " + events));
        assertThat(number(firstEjection, "at_ms")).as("first ejection, kill at %d ms", killMs).isBetween(killMs - 20.0, killMs + 1_000.0);
        assertThat(victimEvents.stream().filter(e -> number(e, "at_ms") < killMs - 20)).as("no event before the kill").isEmpty();

        // Back in service after the restart: its last event puts it back (health checks passed, or
        // an ejection ended), it is in service at the end, and it answered after it listened again.
        Map<String, Object> last = victimEvents.getLast();
        assertThat(last.get("type")).as("last event of the victim: %s", last).isIn("healthy", "returned");
        assertThat(number(last, "at_ms")).as("back at, restart at %d ms", restartMs).isGreaterThanOrEqualTo(restartMs - 20.0);
        assertThat((String) victimStats.get("status")).isIn("healthy", "slow_start");
        double answeredAfterRestart = timeline.stream()
                .filter(t -> number(t, "t_ms") - number(t, "ms") >= restartMs)
                .mapToDouble(t -> number(map(t, "answered"), victimTarget))
                .sum();
        assertThat(answeredAfterRestart).as("answers of the victim after its restart at %d ms", restartMs).isPositive();

        // Back in rotation, and the load goes on: in every whole second after the victim's return
        // requests were answered, and in some whole second the victim took at least a tenth of the
        // answers (its fair share is a third). Not a throughput bound: a test on 2 shared cores
        // cannot hold one (BENCHMARKS.md measures the failover timeline); only whole seconds count
        // (the last entry of the timeline is a short remainder).
        List<Map<String, Object>> whole = timeline.stream().filter(t -> number(t, "ms") >= 900).toList();
        double backAt = number(last, "at_ms");
        List<Map<String, Object>> afterReturn = whole.stream().filter(t -> number(t, "t_ms") - number(t, "ms") >= backAt).toList();
        assertThat(afterReturn).as("whole seconds after the victim came back at %.0f ms", backAt).isNotEmpty();
        assertThat(afterReturn).as("answers in every whole second after the return")
                .allSatisfy(t -> assertThat(number(t, "requests")).isPositive());
        double bestShare = afterReturn.stream()
                .mapToDouble(t -> number(map(t, "answered"), victimTarget) / number(t, "requests")).max().orElse(0);
        assertThat(bestShare).as("the victim's best share of a second's answers after its return").isGreaterThanOrEqualTo(0.1);
    }

    private static Map<String, Object> endpoint(Map<String, Object> json, String address) {
        return list(json, "endpoints").stream().filter(e -> address.equals(e.get("address"))).findFirst()
                .orElseThrow(() -> new AssertionError("no endpoint " + address + " in " + json.get("endpoints")));
    }

    private ServeProcess serve(int port, String name) throws Exception {
        ServeProcess s = ServeProcess.start(port, tmp.resolve(name + ".stderr"));
        servers.add(s);
        return s;
    }

    /** The timeline for the log: events, then one line per second with the victim's answers. */
    private static String describe(Map<String, Object> json, String victim, long killMs, long restartMs) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "failover: kill at %d ms, restarted (listening) at %d ms; requests %.0f, errors %.0f %s, max latency %.1f ms, slowest failure %.1f ms%n",
                killMs, restartMs, number(json, "requests"), number(json, "errors"), json.get("errors_by_kind"),
                number(map(json, "latency_us"), "max") / 1000, number(json, "failed_max_us") / 1000));
        for (Map<String, Object> e : list(json, "endpoints")) {
            sb.append("  endpoint ").append(e).append('\n');
        }
        for (Map<String, Object> e : list(json, "events")) {
            sb.append(String.format(Locale.ROOT, "  %+6.0f ms  %-16s %s  %s%n", number(e, "at_ms"), e.get("type"), e.get("endpoint"), e.get("detail")));
        }
        for (Map<String, Object> t : list(json, "timeline")) {
            sb.append(String.format(Locale.ROOT, "  t=%5.0f ms  %8.0f req/s  errors %5.0f  victim answered %6.0f%n",
                    number(t, "t_ms"), number(t, "rps"), number(t, "errors"), number(map(t, "answered"), victim)));
        }
        return sb.toString();
    }
}
