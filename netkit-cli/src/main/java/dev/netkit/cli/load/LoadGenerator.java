package dev.netkit.cli.load;

import dev.netkit.core.balance.BalancerStats;
import dev.netkit.core.balance.EndpointStats;
import dev.netkit.core.error.NetkitException;
import dev.netkit.metrics.BrokerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerConfig;
import dev.netkit.netty.client.BrokerStats;
import dev.netkit.netty.client.RequestOptions;
import dev.netkit.core.balance.HashKeys;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/*
 * Closed-loop load: every lane keeps one request outstanding and sends the next as soon as the
 * previous one completes. The completion callback runs on the broker's I/O thread, so the next
 * request is written from there without a thread hand-off and leaves with the other frames of the
 * same read batch. Every payload starts with a unique sequence number, so a response delivered to
 * the wrong request cannot go unnoticed (counted as mismatched).
 *
 * A failed request never stops its lane: the failure is counted by kind and the lane sends again
 * (after 5 ms when the failure was immediate, so a target that refuses at once is not spun on).
 * That is what lets a run go on through a backend being killed and restarted.
 */
/** Drives anet-protocol servers through the {@link Broker} and measures the outcome. */
public final class LoadGenerator {
    private static final long HIGHEST_TRACKABLE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final LoadPlan plan;
    private final PrintWriter progress;
    private final Consumer<Histogram> intervals;
    private final Recorder recorder = new Recorder(HIGHEST_TRACKABLE_NANOS, 3);
    private final LongAdder mismatched = new LongAdder();
    private final LongAccumulator failedMaxNanos = new LongAccumulator(Math::max, 0);
    private final BalancerEventLog events;
    private final CompletableFuture<Long> windowStart = new CompletableFuture<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final byte[] template;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "netkit-load-timer");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean measuring;
    private volatile boolean running = true;
    private CountDownLatch lanesDone;
    private Broker broker;
    private final MeterRegistry registry;
    private final boolean latencyTimers;

    /** @param progress where the one-line-per-second progress goes (null for none) */
    public LoadGenerator(LoadPlan plan, PrintWriter progress) {
        this(plan, progress, interval -> { }, null, false);
    }

    /**
     * @param progress  where the one-line-per-second progress goes (null for none)
     * @param intervals given each second's latency histogram of the measured window (nanoseconds,
     *                  start and end timestamps in ms since the epoch) on the timer thread, and the
     *                  last partial second's at the end; it must not keep the histogram (recycled)
     * @param registry  where the broker's meters go while it runs (null for none)
     * @param latencyTimers with a registry: also a latency timer per endpoint (costs a timer record per request)
     */
    public LoadGenerator(LoadPlan plan, PrintWriter progress, Consumer<Histogram> intervals, MeterRegistry registry,
                         boolean latencyTimers) {
        this(plan, progress, intervals, registry, latencyTimers, new BalancerEventLog(BalancerEventLog.DEFAULT_CAPACITY));
    }

    /**
     * As above, recording the balancer's events in {@code events}, which others may feed too (the
     * demo gives it to its gateway, whose ejections then appear in this run's report and charts).
     */
    public LoadGenerator(LoadPlan plan, PrintWriter progress, Consumer<Histogram> intervals, MeterRegistry registry,
                         boolean latencyTimers, BalancerEventLog events) {
        this.plan = plan;
        this.events = java.util.Objects.requireNonNull(events, "events");
        this.progress = progress;
        this.intervals = intervals;
        this.template = template(plan.size());
        this.registry = registry;
        this.latencyTimers = latencyTimers;
    }

    /**
     * Connects, warms up, measures and stops. Bounded: returns at the latest about
     * warmup + duration + timeout after connecting.
     *
     * @throws NetkitException when the targets cannot be connected to
     */
    public LoadResult run() throws InterruptedException {
        BrokerConfig.Builder config = BrokerConfig.builder()
                .weightedEndpoints(plan.targets())
                .balancer(plan.balancerConfig())
                .retry(plan.balancing().retryPolicy())
                .connectionsPerEndpoint(plan.connections())
                .maxInFlightPerConnection(plan.depth())
                .requestTimeout(plan.timeout())
                .ioThreads(plan.ioThreads())
                .tls(plan.tls());
        if (plan.balancing().healthCheck() != null) {
            config.healthCheck(plan.balancing().healthCheck(), "netkit-health".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        if (!plan.validationInterval().isZero()) {
            config.validation("netkit-ping".getBytes(java.nio.charset.StandardCharsets.US_ASCII), plan.validationInterval());
        }
        BrokerMetrics metrics = registry == null ? null : BrokerMetrics.create(registry);
        broker = Broker.create(config.build(), events, metrics != null && latencyTimers ? metrics.observer() : null);
        try {
            if (metrics != null) {
                metrics.bind(broker);
            }
            connect();
            return drive();
        } finally {
            running = false;
            timer.shutdownNow();
            broker.close();
            if (metrics != null) {
                metrics.close();
            }
        }
    }

    /**
     * Completes with the {@link System#nanoTime()} at which the measured window started (the origin
     * of the progress lines, the timeline and event times), on the thread running {@link #run()}:
     * what depends on it must be quick or hand off. Never completes if the run fails before.
     */
    public CompletableFuture<Long> windowStart() {
        return windowStart;
    }

    /** The transport the broker uses; valid once {@link #run()} started. */
    public String transportName() {
        return broker == null ? "?" : broker.transportName();
    }

    private void connect() {
        try {
            broker.connectAll().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof NetkitException ne ? ne : e;
        }
    }

    private LoadResult drive() throws InterruptedException {
        RatePacer pacer = null;
        if (plan.openLoop()) {
            lanesDone = new CountDownLatch(1); // counted down by the pacer once it stopped and nothing is outstanding
            pacer = RatePacer.start(plan.rate(), this::issueAt, () -> running, lanesDone);
        } else {
            lanesDone = new CountDownLatch(plan.lanes());
            for (int i = 0; i < plan.lanes(); i++) {
                issue();
            }
        }
        long warmupNanos = plan.warmup().toNanos();
        if (warmupNanos > 0) {
            TimeUnit.NANOSECONDS.sleep(warmupNanos);
        }
        resetCounters();
        BalancerStats atStart = broker.balancerStats();
        long retriesAtStart = broker.stats().retries();
        long startEpochMillis = System.currentTimeMillis();
        long start = System.nanoTime();
        measuring = true;
        windowStart.complete(start);
        Histogram total = new Histogram(HIGHEST_TRACKABLE_NANOS, 3);
        ProgressPrinter printer = new ProgressPrinter(progress, recorder, mismatched, errors, total,
                broker::balancerStats, start, intervals);
        var ticks = timer.scheduleAtFixedRate(printer::tick, 1, 1, TimeUnit.SECONDS);
        TimeUnit.NANOSECONDS.sleep(plan.duration().toNanos());
        measuring = false;
        double seconds = (System.nanoTime() - start) / 1e9;
        ticks.cancel(false);
        printer.absorbRemaining();
        BalancerStats atEnd = broker.balancerStats();
        long retried = broker.stats().retries() - retriesAtStart;
        running = false;
        // Outstanding requests complete within their deadline; wait for them so none is cut off.
        lanesDone.await(plan.timeout().toMillis() + 2_000, TimeUnit.MILLISECONDS);
        return result(total, printer.requestsCounted(), seconds, start, startEpochMillis, retried, endpoints(atStart, atEnd),
                printer.timeline());
    }

    private void resetCounters() {
        recorder.reset();
        mismatched.reset();
        errors.clear();
        failedMaxNanos.reset();
    }

    private static List<EndpointReport> endpoints(BalancerStats atStart, BalancerStats atEnd) {
        Map<String, EndpointStats> before = new HashMap<>();
        atStart.endpoints().forEach(s -> before.put(s.address().toString(), s));
        List<EndpointReport> reports = new ArrayList<>();
        for (EndpointStats end : atEnd.endpoints()) {
            reports.add(EndpointReport.between(before.getOrDefault(end.address().toString(), zero(end)), end));
        }
        return reports;
    }

    private static EndpointStats zero(EndpointStats like) {
        return new EndpointStats(like.address(), like.zone(), like.weight(), like.effectiveWeight(), like.status(),
                0, 0, 0, 0, 0, 0, like.breaker(), "");
    }

    private void issue() {
        if (!running) {
            lanesDone.countDown();
            return;
        }
        long seq = sequence.incrementAndGet();
        byte[] payload = payload(seq);
        long sentAt = System.nanoTime();
        CompletableFuture<byte[]> reply;
        try {
            reply = plan.lb().keyed() ? broker.send(payload, RequestOptions.defaults().withKey(key(seq))) : broker.send(payload);
        } catch (RuntimeException e) { // a bug below us must cost one request, not the lane
            reply = CompletableFuture.failedFuture(e);
        }
        if (reply.isCompletedExceptionally()) {
            // Failed before anything was sent (queue full, no endpoint, endpoint known down): back
            // off briefly instead of spinning, and never recurse on the caller's stack.
            recordError(reply.exceptionNow(), sentAt);
            retryLater();
            return;
        }
        reply.whenComplete((response, error) -> {
            if (error != null) {
                recordError(error, sentAt);
            } else if (Arrays.equals(response, payload)) {
                if (measuring) {
                    recorder.recordValue(Math.min(System.nanoTime() - sentAt, HIGHEST_TRACKABLE_NANOS));
                }
            } else if (measuring) {
                mismatched.increment();
            }
            issue();
        });
    }

    /**
     * Open loop: sends one request meant to leave at {@code intendedAt}; its latency counts from
     * then (not from when it really left), which corrects coordinated omission. Returns the
     * reply, completed or not, so the pacer can count what is outstanding.
     */
    private CompletableFuture<byte[]> issueAt(long intendedAt) {
        long seq = sequence.incrementAndGet();
        byte[] payload = payload(seq);
        CompletableFuture<byte[]> reply;
        try {
            reply = plan.lb().keyed() ? broker.send(payload, RequestOptions.defaults().withKey(key(seq))) : broker.send(payload);
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        return reply.whenComplete((response, error) -> {
            if (error != null) {
                recordError(error, intendedAt);
            } else if (Arrays.equals(response, payload)) {
                if (measuring) {
                    recorder.recordValue(Math.min(Math.max(0, System.nanoTime() - intendedAt), HIGHEST_TRACKABLE_NANOS));
                }
            } else if (measuring) {
                mismatched.increment();
            }
        });
    }

    private void retryLater() {
        try {
            timer.schedule(this::issue, 5, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            lanesDone.countDown(); // the run is over
        }
    }

    /** Spreads sequence numbers over the key space (SplitMix64's finalizer), so hashing strategies see distinct keys. */
    private static long key(long seq) {
        return HashKeys.of(seq);
    }

    private void recordError(Throwable error, long sentAt) {
        if (!measuring) {
            return;
        }
        failedMaxNanos.accumulate(System.nanoTime() - sentAt);
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String kind = cause instanceof NetkitException ne ? ne.kind().label() : cause.getClass().getSimpleName();
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    private byte[] payload(long seq) {
        byte[] p = template.clone();
        int n = Math.min(Long.BYTES, p.length);
        for (int i = 0; i < n; i++) {
            p[i] = (byte) (seq >>> (8 * i)); // unique prefix: a misdelivered response cannot match
        }
        return p;
    }

    private static byte[] template(int size) {
        byte[] t = new byte[size];
        for (int i = Long.BYTES; i < size; i++) {
            t[i] = (byte) ('a' + i % 26);
        }
        return t;
    }

    private LoadResult result(Histogram h, long requests, double seconds, long start, long startEpochMillis, long retried,
                              List<EndpointReport> endpoints, List<TimelineEntry> timeline) {
        Map<String, Long> byKind = new TreeMap<>();
        errors.forEach((k, v) -> byKind.put(k, v.sum()));
        long errorCount = byKind.values().stream().mapToLong(Long::longValue).sum();
        LoadResult.Latency latency = new LoadResult.Latency(
                micros(h.getValueAtPercentile(50)), micros(h.getValueAtPercentile(90)),
                micros(h.getValueAtPercentile(99)), micros(h.getValueAtPercentile(99.9)), micros(h.getMaxValue()));
        BrokerStats brokerStats = broker.stats();
        List<LoadResult.TimedEvent> timed = events.events().stream()
                .map(e -> new LoadResult.TimedEvent(Math.floorDiv(e.nanoTime() - start, 1_000_000L), e))
                .toList();
        return new LoadResult(requests, errorCount, byKind, mismatched.sum(), seconds, latency, h,
                brokerStats.connectionsOpened(), brokerStats.reuseRate(),
                broker.poolStats().stream().mapToLong(dev.netkit.core.pool.PoolStats::validations).sum(), retried,
                micros(failedMaxNanos.get()), startEpochMillis, endpoints, timed, events.dropped(), timeline);
    }

    private static double micros(long nanos) {
        return nanos / 1000.0;
    }
}
