package dev.netkit.core.health;

import static dev.netkit.core.health.ScriptedChecker.Outcome.FAIL;
import static dev.netkit.core.health.ScriptedChecker.Outcome.HANG;
import static dev.netkit.core.health.ScriptedChecker.Outcome.NULL;
import static dev.netkit.core.health.ScriptedChecker.Outcome.PASS;
import static dev.netkit.core.health.ScriptedChecker.Outcome.THROW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.time.ManualScheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runner's schedule, thresholds, timeout, overlap rules, close and listener, on a manual clock. */
class HealthCheckRunnerTest {
    private static final Endpoint ENDPOINT = Endpoint.parse("10.0.0.1:7000"); // never dialled: the checker is fake
    private static final long SEED = Long.getLong("netkit.seed", System.nanoTime());

    private final ManualScheduler time = new ManualScheduler();
    private final ScriptedChecker checker = new ScriptedChecker(time.ticker());
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final HealthListener recording = (endpoint, healthy, reason) -> events.add((healthy ? "up: " : "down: ") + reason);
    private final List<HealthCheckRunner> runners = new ArrayList<>();

    /** Defaults without jitter, so every check time is exact. */
    private static HealthCheckConfig.Builder config() {
        return HealthCheckConfig.builder().jitter(0);
    }

    private HealthCheckRunner runner(HealthCheckConfig.Builder config) {
        return runner(config, recording);
    }

    private HealthCheckRunner runner(HealthCheckConfig.Builder config, HealthListener listener) {
        HealthCheckRunner runner = HealthCheckRunner.builder(ENDPOINT, checker).config(config.build()).listener(listener)
                .time(time.ticker(), time).random(new SplittableRandom(SEED)).build();
        runners.add(runner);
        return runner;
    }

    private HealthCheckRunner started(HealthCheckConfig.Builder config) {
        HealthCheckRunner runner = runner(config);
        runner.start();
        time.runDue(); // the first check runs at once
        return runner;
    }

    private void advanceMillis(long ms) {
        time.advance(Duration.ofMillis(ms));
    }

    @AfterEach
    void closeRunners() {
        runners.forEach(HealthCheckRunner::close);
        assertThat(time.pending()).as("closed runners leave no timer behind").isZero();
    }

    @Test
    void fallsAfterExactlyUnhealthyThresholdFailuresAndRisesAfterExactlyHealthyThreshold() {
        checker.then(FAIL, FAIL, FAIL, PASS, PASS);
        HealthCheckRunner runner = started(config()); // rise 2, fall 3, interval 2 s
        assertThat(checker.calls()).hasSize(1);
        assertThat(runner.healthy()).as("1 failure of 3").isTrue();
        advanceMillis(2_000);
        assertThat(runner.healthy()).as("2 failures of 3").isTrue();
        advanceMillis(2_000);
        assertThat(runner.healthy()).as("3 failures").isFalse();
        assertThat(events).containsExactly("down: 3 consecutive checks failed; last: connect to 10.0.0.1:7000 refused");
        advanceMillis(2_000);
        assertThat(runner.healthy()).as("1 pass of 2").isFalse();
        advanceMillis(2_000);
        assertThat(runner.healthy()).as("2 passes").isTrue();
        assertThat(events).hasSize(2).last().isEqualTo("up: 2 consecutive checks passed");
        advanceMillis(20_000);
        assertThat(events).as("no transition without a change").hasSize(2);

        HealthCheckStats stats = runner.stats();
        assertThat(stats.checks()).isEqualTo(15);
        assertThat(stats.passed()).isEqualTo(12);
        assertThat(stats.failed()).isEqualTo(3);
        assertThat(stats.timedOut()).isZero();
        assertThat(stats.consecutiveSuccesses()).isEqualTo(12);
        assertThat(stats.consecutiveFailures()).isZero();
        assertThat(stats.transitions()).isEqualTo(2);
        assertThat(stats.lastFailure()).isEqualTo("connect to 10.0.0.1:7000 refused");
        assertThat(stats.lastCheckDuration()).isEqualTo(Duration.ZERO);
    }

    @Test
    void aPassResetsTheFailureCountAndAFailureResetsThePassCount() {
        checker.then(FAIL, FAIL, PASS, FAIL, FAIL).whenEmpty(FAIL);
        HealthCheckRunner runner = started(config());
        advanceMillis(4 * 2_000);
        assertThat(runner.healthy()).as("never 3 failures in a row yet").isTrue();
        assertThat(runner.stats().consecutiveFailures()).isEqualTo(2);
        advanceMillis(2_000);
        assertThat(runner.healthy()).isFalse();

        checker.then(PASS, FAIL, PASS, PASS);
        advanceMillis(3 * 2_000);
        assertThat(runner.healthy()).as("pass, fail, pass: never 2 passes in a row").isFalse();
        advanceMillis(2_000);
        assertThat(runner.healthy()).isTrue();
        assertThat(events).hasSize(2);
    }

    @Test
    void thresholdsOfOneFlipOnEveryChange() {
        checker.then(FAIL, FAIL, PASS, FAIL);
        HealthCheckRunner runner = started(config().healthyThreshold(1).unhealthyThreshold(1));
        advanceMillis(3 * 2_000);
        assertThat(events).containsExactly(
                "down: 1 check failed; last: connect to 10.0.0.1:7000 refused",
                "up: 1 check passed",
                "down: 1 check failed; last: connect to 10.0.0.1:7000 refused");
        assertThat(runner.healthy()).isFalse();
    }

    @Test
    void initiallyUnhealthyBecomesHealthyOnTheFirstPassThenNeedsTheThreshold() {
        checker.then(PASS, FAIL, FAIL, FAIL, PASS, PASS);
        HealthCheckRunner runner = runner(config().initiallyHealthy(false));
        assertThat(runner.healthy()).as("before any check").isFalse();
        runner.start();
        time.runDue();
        assertThat(runner.healthy()).isTrue();
        assertThat(events).containsExactly("up: first check passed");
        advanceMillis(3 * 2_000);
        assertThat(runner.healthy()).isFalse();
        advanceMillis(2_000);
        assertThat(runner.healthy()).as("after the first check, rise 2 applies").isFalse();
        advanceMillis(2_000);
        assertThat(runner.healthy()).isTrue();
        assertThat(events).hasSize(3);
    }

    @Test
    void initiallyUnhealthyWhoseFirstCheckFailsNeedsTheFullThreshold() {
        checker.then(FAIL, PASS, PASS);
        HealthCheckRunner runner = started(config().initiallyHealthy(false));
        assertThat(events).as("unhealthy already: no transition").isEmpty();
        advanceMillis(2_000);
        assertThat(runner.healthy()).isFalse();
        advanceMillis(2_000);
        assertThat(runner.healthy()).isTrue();
        assertThat(events).containsExactly("up: 2 consecutive checks passed");
    }

    @Test
    void withoutJitterChecksStartExactlyOneIntervalAfterThePreviousEnded() {
        HealthCheckRunner runner = started(config().interval(Duration.ofMillis(500)));
        advanceMillis(10_000);
        List<ScriptedChecker.Call> calls = checker.calls();
        assertThat(calls).hasSize(21);
        for (int i = 1; i < calls.size(); i++) {
            assertThat(calls.get(i).at() - calls.get(i - 1).at()).isEqualTo(Duration.ofMillis(500).toNanos());
        }
        assertThat(runner.stats().checks()).isEqualTo(21);
    }

    @Test
    void jitterLengthensEachPauseByUpToItsShareOfTheInterval() {
        System.out.println("HealthCheckRunnerTest seed=" + SEED + " (replay with -Dnetkit.seed=" + SEED + ")");
        started(config().interval(Duration.ofSeconds(2)).jitter(0.1));
        advanceMillis(1_000_000);
        List<ScriptedChecker.Call> calls = checker.calls();
        long min = Duration.ofMillis(2_000).toNanos();
        long max = Duration.ofMillis(2_200).toNanos();
        Set<Long> distinct = new HashSet<>();
        long sum = 0;
        for (int i = 1; i < calls.size(); i++) {
            long gap = calls.get(i).at() - calls.get(i - 1).at();
            assertThat(gap).as("gap %d (seed %d)", i, SEED).isBetween(min, max);
            distinct.add(gap);
            sum += gap;
        }
        int gaps = calls.size() - 1;
        assertThat(gaps).isBetween(450, 500);
        assertThat(distinct).as("the pauses vary (seed %d)", SEED).hasSizeGreaterThan(gaps * 9 / 10);
        // Uniform on [0, 200 ms]: mean 100 ms, standard error about 2.6 ms over ~470 gaps.
        assertThat(sum / gaps).as("mean gap (seed %d)", SEED).isBetween(Duration.ofMillis(2_085).toNanos(),
                Duration.ofMillis(2_115).toNanos());
    }

    @Test
    void theSameSeedGivesTheSameSchedule() {
        started(config().jitter(0.5));
        advanceMillis(60_000);
        List<Long> first = checker.calls().stream().map(c -> c.at() - checker.call(0).at()).toList();

        ManualScheduler other = new ManualScheduler();
        ScriptedChecker otherChecker = new ScriptedChecker(other.ticker());
        try (HealthCheckRunner again = HealthCheckRunner.builder(ENDPOINT, otherChecker).config(config().jitter(0.5).build())
                .time(other.ticker(), other).random(new SplittableRandom(SEED)).build()) {
            again.start();
            other.advance(Duration.ofMillis(60_000));
            assertThat(otherChecker.calls().stream().map(c -> c.at() - otherChecker.call(0).at()).toList())
                    .as("seed %d", SEED).isEqualTo(first);
        }
    }

    @Test
    void aCheckThatOutlivesTheTimeoutFailsAndItsLateResultIsIgnored() {
        checker.then(HANG);
        HealthCheckRunner runner = started(config().timeout(Duration.ofSeconds(1)).unhealthyThreshold(1));
        assertThat(checker.call(0).timeout()).as("the checker is asked to finish first").isEqualTo(Duration.ofMillis(950));
        advanceMillis(999);
        assertThat(runner.stats().checks()).isZero();
        assertThat(runner.healthy()).isTrue();
        advanceMillis(1);
        assertThat(runner.healthy()).isFalse();
        assertThat(events).containsExactly(
                "down: 1 check failed; last: health check of 10.0.0.1:7000 did not complete within the timeout of 1000 ms");
        HealthCheckStats stats = runner.stats();
        assertThat(stats.failed()).isEqualTo(1);
        assertThat(stats.timedOut()).isEqualTo(1);
        assertThat(stats.lastCheckDuration()).isEqualTo(Duration.ofSeconds(1));

        checker.call(0).future().complete(null); // the late answer
        assertThat(runner.stats()).isEqualTo(stats);
        assertThat(runner.healthy()).isFalse();
        assertThat(events).hasSize(1);

        advanceMillis(1_999);
        assertThat(checker.calls()).as("the next check starts an interval after the timeout").hasSize(1);
        advanceMillis(1);
        assertThat(checker.calls()).hasSize(2);
        assertThat(runner.stats().passed()).isEqualTo(1);
    }

    @Test
    void theCheckerGetsTheTimeoutLessTenPercentAtMostFiftyMilliseconds() {
        started(config().timeout(Duration.ofMillis(200)));
        assertThat(checker.call(0).timeout()).isEqualTo(Duration.ofMillis(180));
        HealthCheckRunner tiny = runner(config().timeout(Duration.ofNanos(1)));
        tiny.start();
        time.runDue();
        assertThat(checker.call(1).timeout()).isEqualTo(Duration.ofNanos(1));
    }

    @Test
    void aCheckThatEndsInTimeCancelsItsTimeout() {
        checker.then(HANG);
        HealthCheckRunner runner = started(config().timeout(Duration.ofSeconds(1)));
        advanceMillis(300);
        checker.call(0).future().complete(null);
        assertThat(time.pending()).as("only the next check is scheduled").isEqualTo(1);
        assertThat(runner.stats().lastCheckDuration()).isEqualTo(Duration.ofMillis(300));
        advanceMillis(10_000);
        assertThat(runner.stats().timedOut()).isZero();
        assertThat(runner.stats().failed()).isZero();
    }

    @Test
    void checksNeverOverlapAndCheckNowWhileOneRunsIsMergedIntoOneRerun() {
        checker.whenEmpty(HANG);
        HealthCheckRunner runner = started(config().interval(Duration.ofMillis(100)).timeout(Duration.ofMinutes(1)));
        advanceMillis(5_000);
        runner.checkNow();
        runner.checkNow();
        runner.checkNow();
        time.runDue();
        assertThat(checker.calls()).as("one check, still running").hasSize(1);

        checker.call(0).future().complete(null);
        time.runDue();
        assertThat(checker.calls()).as("the requested check runs right after, once").hasSize(2);
        checker.call(1).future().complete(null);
        time.runDue();
        assertThat(checker.calls()).hasSize(2);
        advanceMillis(100);
        assertThat(checker.calls()).as("then the interval resumes").hasSize(3);
        assertThat(checker.maxUnfinished()).isEqualTo(1);
        assertThat(runner.stats().checks()).isEqualTo(2);
    }

    @Test
    void aSlowCheckDelaysTheNextOneInsteadOfOverlapping() {
        checker.whenEmpty(HANG);
        started(config().interval(Duration.ofMillis(100)).timeout(Duration.ofSeconds(10)));
        for (int i = 0; i < 5; i++) {
            advanceMillis(1_500); // each check takes 1.5 s, far beyond the interval
            assertThat(checker.calls()).hasSize(i + 1);
            checker.call(i).future().complete(null);
            advanceMillis(100);
        }
        List<ScriptedChecker.Call> calls = checker.calls();
        for (int i = 1; i < 5; i++) {
            assertThat(calls.get(i).at() - calls.get(i - 1).at()).isEqualTo(Duration.ofMillis(1_600).toNanos());
        }
        assertThat(checker.maxUnfinished()).isEqualTo(1);
    }

    @Test
    void checkNowWhileIdleRunsAtOnceAndRestartsTheInterval() {
        HealthCheckRunner runner = started(config());
        advanceMillis(1_000);
        runner.checkNow();
        time.runDue();
        assertThat(checker.calls()).hasSize(2);
        assertThat(time.pending()).as("the replaced timer was cancelled").isEqualTo(1);
        advanceMillis(1_999);
        assertThat(checker.calls()).hasSize(2);
        advanceMillis(1);
        assertThat(checker.calls()).hasSize(3);
    }

    @Test
    void nothingRunsBeforeStart() {
        HealthCheckRunner runner = runner(config());
        runner.checkNow();
        advanceMillis(60_000);
        assertThat(checker.calls()).isEmpty();
        runner.start();
        runner.start(); // harmless
        time.runDue();
        assertThat(checker.calls()).hasSize(1);
    }

    @Test
    void closeCancelsTheTimersAndIgnoresTheRunningCheck() {
        checker.then(HANG);
        HealthCheckRunner runner = started(config().unhealthyThreshold(1));
        assertThat(time.pending()).as("the running check's timeout").isEqualTo(1);
        runner.close();
        assertThat(time.pending()).isZero();
        assertThat(runner.isClosed()).isTrue();

        checker.call(0).future().completeExceptionally(new IllegalStateException("down"));
        runner.checkNow();
        advanceMillis(60_000);
        assertThat(checker.calls()).hasSize(1);
        assertThat(events).isEmpty();
        assertThat(runner.stats().checks()).isZero();
        assertThat(runner.healthy()).isTrue();
        runner.close(); // idempotent
        assertThatThrownBy(runner::start).isInstanceOf(IllegalStateException.class)
                .hasMessage("health check runner for 10.0.0.1:7000 is closed; it cannot start");
    }

    @Test
    void closeBetweenChecksCancelsTheNextOne() {
        HealthCheckRunner runner = started(config());
        advanceMillis(1_000);
        assertThat(time.pending()).isEqualTo(1);
        runner.close();
        assertThat(time.pending()).isZero();
        advanceMillis(60_000);
        assertThat(checker.calls()).hasSize(1);
    }

    @Test
    void aListenerThatThrowsIsToldEachTransitionOnceAndTheRunnerGoesOn() {
        List<String> seen = new CopyOnWriteArrayList<>();
        checker.then(FAIL, FAIL, PASS, PASS, FAIL);
        HealthCheckRunner runner = runner(config().healthyThreshold(1).unhealthyThreshold(1), (endpoint, healthy, reason) -> {
            seen.add(endpoint + (healthy ? " up" : " down"));
            throw new IllegalStateException("listener bug");
        });
        runner.start();
        advanceMillis(4 * 2_000);
        assertThat(seen).containsExactly("10.0.0.1:7000 down", "10.0.0.1:7000 up", "10.0.0.1:7000 down");
        advanceMillis(2_000);
        assertThat(checker.calls()).as("still checking").hasSize(6);
        assertThat(runner.healthy()).isTrue();
    }

    @Test
    void aCheckerThatThrowsOrReturnsNullFails() {
        checker.then(THROW, NULL);
        HealthCheckRunner runner = started(config().unhealthyThreshold(2));
        assertThat(runner.stats().lastFailure()).isEqualTo("health checker threw IllegalStateException: boom");
        advanceMillis(2_000);
        assertThat(runner.healthy()).isFalse();
        assertThat(runner.stats().lastFailure()).startsWith("health checker dev.netkit.core.health.ScriptedChecker returned null");
        assertThat(time.pending()).as("no timeout left behind").isEqualTo(1);
        advanceMillis(4_000);
        assertThat(runner.healthy()).isTrue();
    }

    @Test
    void aFailureOtherThanHealthCheckExceptionIsReportedWithItsType() {
        HealthCheckRunner runner = HealthCheckRunner.builder(ENDPOINT,
                        (endpoint, timeout) -> CompletableFuture.supplyAsync(() -> {
                            throw new UncheckedIOException(new IOException("reset"));
                        }, Runnable::run).thenRun(() -> {}))
                .config(config().unhealthyThreshold(1).build()).listener(recording).time(time.ticker(), time).build();
        runners.add(runner);
        runner.start();
        time.runDue();
        assertThat(events).containsExactly("down: 1 check failed; last: UncheckedIOException: java.io.IOException: reset");
    }

    @Test
    void aHundredRunnersCostOneTimerEachAndNoThread() {
        List<HealthCheckRunner> many = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < 100; i++) {
            HealthCheckRunner r = HealthCheckRunner.builder(new Endpoint("10.0.1." + i, 7000), checker)
                    .config(HealthCheckConfig.defaults()).time(time.ticker(), time).random(random.split()).build();
            runners.add(r);
            many.add(r);
            r.start();
        }
        int threads = Thread.activeCount();
        advanceMillis(60_000);
        assertThat(time.pending()).isEqualTo(100);
        assertThat(Thread.activeCount()).isLessThanOrEqualTo(threads);
        for (HealthCheckRunner r : many) {
            assertThat(r.stats().checks()).as("%s (seed %d)", r.endpoint(), SEED).isBetween(28L, 31L);
        }
    }
}
