package dev.netkit.core.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.backoff.ExponentialBackoff;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.PoolClosedException;
import dev.netkit.core.pool.FakeConnector.Conn;
import dev.netkit.core.time.Scheduler;
import dev.netkit.core.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Thousands of concurrent acquire / tryAcquire / blocking acquire / release / invalidate / cancel
 * / peer close / evictAll / close operations from several threads against pools with random
 * configurations (exclusive and shared connections), checked against a reference model:
 *
 * <ul>
 *   <li>no connection ever has more holders than {@code maxLeasesPerConnection} (1: exclusive),
 *       background validations included;
 *   <li>the pool's total never exceeds {@code maxTotal}, and neither do the connections open at
 *       the connector (delivered, or being dialled) when a dial starts;
 *   <li>every acquire future completes exactly once, with a lease or one of the documented
 *       failures; the timeouts and refusals the workers saw equal the pool's counters;
 *   <li>after each round, once background work settles: no lease leaked (every open connection is
 *       idle in the pool, open count == total), {@code created == closed + total}; after close,
 *       nothing is open and no connection was closed twice.
 * </ul>
 *
 * <p>Time is real: a private single-thread scheduler (like the shared one) and the system clock,
 * with acquire timeouts of a few milliseconds, so timeouts, handoffs, cancellations, dial
 * completions (some on another thread), validations and maintenance genuinely race. The seed
 * fixes each worker's sequence of operations and the configurations, not the interleaving; it is
 * printed, and {@code -Dnetkit.seed=N} replays it.
 */
class ConnectionPoolRandomizedTest {
    private static final Endpoint ENDPOINT = Endpoint.parse("10.0.0.9:9000");
    private static final int ROUNDS = 24;
    private static final int THREADS = 4;
    private static final int OPS = 400;

    /** An in-memory connector that fails some dials, delivers some on another thread and checks the open count. */
    static final class ChaosConnector implements Connector<Conn>, Validator<Conn> {
        final int maxTotal;
        final int maxHolders;
        final ExecutorService async;
        final ConcurrentLinkedQueue<String> violations;
        final List<Conn> all = new ArrayList<>();
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger validations = new AtomicInteger();
        final AtomicInteger validating = new AtomicInteger();
        /** max(1, share x maxTotal): more validations at once means the pool lost count. */
        final int maxValidating;
        volatile boolean refuseSome = true;

        ChaosConnector(int maxTotal, int maxHolders, ExecutorService async, ConcurrentLinkedQueue<String> violations) {
            this.maxTotal = maxTotal;
            this.maxHolders = maxHolders;
            this.async = async;
            this.violations = violations;
            this.maxValidating = Math.max(1, maxTotal / 2); // share 0.5
        }

        @Override
        public CompletionStage<Conn> connect(Endpoint endpoint, Runnable onClosed) {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            if (refuseSome && r.nextInt(100) < 4) {
                return CompletableFuture.failedFuture(new IllegalStateException("refused (chaos)"));
            }
            Conn c;
            synchronized (this) {
                c = new Conn(all.size() + 1, onClosed);
                all.add(c);
            }
            int nowOpen = open.incrementAndGet();
            if (nowOpen > maxTotal) {
                violations.add("dial started with " + nowOpen + " connections open or dialling > maxTotal " + maxTotal);
            }
            if (r.nextBoolean()) {
                return CompletableFuture.completedFuture(c);
            }
            return CompletableFuture.supplyAsync(() -> c, async);
        }

        @Override
        public boolean isUsable(Conn c) {
            return c.open;
        }

        @Override
        public void close(Conn c) {
            if (c.closeCalls.incrementAndGet() > 1) {
                violations.add(c + " closed twice by the pool");
            }
            closed(c);
            c.closedByPool = true;
        }

        void peerClose(Conn c) {
            synchronized (c) {
                if (!c.open) {
                    return;
                }
                closed(c);
                c.closedByPeer = true;
            }
            c.onClosed.run();
        }

        private void closed(Conn c) {
            synchronized (c) {
                if (c.open) {
                    c.open = false;
                    open.decrementAndGet();
                }
            }
        }

        synchronized Conn random(Random r) {
            return all.isEmpty() ? null : all.get(r.nextInt(all.size()));
        }

        synchronized List<Conn> snapshot() {
            return new ArrayList<>(all);
        }

        @Override
        public CompletionStage<Boolean> validate(Conn c) {
            validations.incrementAndGet();
            int v = validating.incrementAndGet();
            if (v > maxValidating) {
                violations.add(v + " validations at once > max(1, 0.5 x maxTotal " + maxTotal + ")");
            }
            int h = c.holders.incrementAndGet();
            if (h > maxHolders) {
                violations.add(c + " validated while " + (h - 1) + " lease(s) held it (limit " + maxHolders + ")");
            }
            boolean ok = ThreadLocalRandom.current().nextInt(100) >= 3;
            return CompletableFuture.supplyAsync(() -> {
                c.holders.decrementAndGet();
                validating.decrementAndGet();
                return ok;
            }, async);
        }
    }

    /** What the workers saw, for comparison with the pool's counters. */
    static final class Model {
        final AtomicLong leases = new AtomicLong();
        final AtomicLong timeouts = new AtomicLong();
        final AtomicLong rejected = new AtomicLong();
        final AtomicLong down = new AtomicLong();
        final AtomicLong closed = new AtomicLong();
        final AtomicLong cancelled = new AtomicLong();
        final AtomicLong invalidated = new AtomicLong();
    }

    private record Pending(CompletableFuture<Lease<Conn>> future, AtomicInteger completions) {}

    @ParameterizedTest(name = "maxLeasesPerConnection={0}")
    @ValueSource(ints = {1, 3})
    void concurrentOperationsKeepEveryInvariant(int maxLeases) throws Exception {
        long seed = Long.getLong("netkit.seed", System.nanoTime());
        System.out.println("ConnectionPoolRandomizedTest maxLeasesPerConnection=" + maxLeases + " seed=" + seed
                + " (replay the operation sequences with -Dnetkit.seed=" + seed + ")");
        Random configRandom = new Random(seed);
        ScheduledThreadPoolExecutor timer = ThreadScheduler.timer("test-pool-timer");
        Scheduler scheduler = ThreadScheduler.on(timer);
        ExecutorService async = Executors.newFixedThreadPool(2, r -> Thread.ofPlatform().daemon().name("test-dial").unstarted(r));
        ExecutorService workers = Executors.newFixedThreadPool(THREADS);
        long totalOps = 0;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                totalOps += round(seed, round, configRandom, maxLeases, scheduler, async, workers);
            }
        } finally {
            workers.shutdownNow();
            async.shutdownNow();
            timer.shutdownNow();
        }
        assertThat(totalOps).isGreaterThanOrEqualTo((long) ROUNDS * THREADS * OPS);
    }

    private long round(long seed, int round, Random cr, int maxLeases, Scheduler scheduler, ExecutorService async,
            ExecutorService workers) throws Exception {
        int maxTotal = 1 + cr.nextInt(5);
        PoolConfig config = PoolConfig.builder()
                .maxTotal(maxTotal)
                .minIdle(cr.nextInt(Math.min(2, maxTotal) + 1))
                .maxLeasesPerConnection(maxLeases)
                .maxPending(1 + cr.nextInt(20))
                .dialTimeout(Duration.ofSeconds(10)) // no dial timeouts: a late connection may exceed maxTotal at the connector
                .maxConcurrentDials(1 + cr.nextInt(3))
                .dialBackoff(new ExponentialBackoff(Duration.ofMillis(1), 2, 0.2, Duration.ofMillis(4)))
                .redialDelayMax(Duration.ofMillis(cr.nextInt(3)))
                .idleTimeout(Duration.ofMillis(cr.nextBoolean() ? 0 : 5 + cr.nextInt(20)))
                .maxLifetime(Duration.ofMillis(cr.nextBoolean() ? 0 : 20 + cr.nextInt(80)))
                .lifetimeJitter(0.2)
                .validationInterval(Duration.ofMillis(1 + cr.nextInt(5)))
                .validationShare(0.5)
                .maintenanceInterval(Duration.ofMillis(1))
                .leakDetectionThreshold(Duration.ofMillis(cr.nextInt(4) == 0 ? 2_000 : 0)) // exercised, rarely reported
                .build();
        boolean validate = cr.nextBoolean();
        int closer = cr.nextInt(3) == 0 ? cr.nextInt(THREADS) : -1; // a third of the rounds close mid-way
        String where = "seed " + seed + " round " + round + " " + config;

        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        ChaosConnector connector = new ChaosConnector(maxTotal, maxLeases, async, violations);
        ConnectionPool<Conn> pool = ConnectionPool.builder(ENDPOINT, connector).config(config)
                .validator(validate ? connector : null).time(Ticker.system(), scheduler).build();
        Model model = new Model();
        ConcurrentLinkedQueue<Pending> futures = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<java.util.concurrent.Future<?>> running = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Random r = new Random(seed * 31 + round * 1_000_003L + t);
            boolean closes = t == closer;
            int closeAt = r.nextInt(OPS);
            running.add(workers.submit(() -> {
                start.await();
                work(pool, connector, r, closes ? closeAt : -1, maxTotal, maxLeases, model, futures, violations);
                return null;
            }));
        }
        start.countDown();
        for (var f : running) {
            f.get(30, TimeUnit.SECONDS);
        }
        assertThat(violations).as(where).isEmpty();

        for (Pending p : futures) {
            assertThat(p.future()).as(where).isDone();
        }
        settled().untilAsserted(() -> {
            for (Pending p : futures) {
                assertThat(p.completions()).as("completed exactly once; " + where).hasValue(1);
            }
        });

        // The timer thread counts a timeout right after failing the future, so a worker may see it first.
        settled().untilAsserted(() -> {
            PoolStats end = pool.stats();
            assertThat(end.timedOut()).as("timeouts seen == timeouts counted; " + where).isEqualTo(model.timeouts.get());
            assertThat(end.rejected()).as("refusals seen == refusals counted; " + where).isEqualTo(model.rejected.get());
            assertThat(end.acquired()).as("leases handed out >= leases the workers got; " + where)
                    .isGreaterThanOrEqualTo(model.leases.get());
        });

        if (!pool.isClosed()) {
            connector.refuseSome = false;
            // Background work (maintenance every 1 ms, lifetime, validation) goes on: wait for an
            // instant where it is settled, which a leak would never produce.
            settled().untilAsserted(() -> {
                PoolStats s = pool.stats();
                assertThat(s.inFlight()).as("no lease leaked; " + where).isZero();
                assertThat(s.pending()).isZero();
                assertThat(s.dialing()).isZero();
                assertThat(s.validating()).isZero();
                assertThat(s.idle()).as("every connection idle in the pool").isEqualTo(s.total());
                assertThat((long) connector.open.get()).as("open at the connector == pool total; " + where).isEqualTo(s.total());
                assertThat(s.created()).as("created == closed + total").isEqualTo(s.closed() + s.total());
                assertThat(s.total()).isLessThanOrEqualTo(maxTotal);
            });
            if (validate) {
                int before = connector.validations.get();
                settled().alias("validation still runs; " + where)
                        .until(() -> connector.validations.get() > before || pool.stats().total() == 0);
            }
            pool.close();
        }
        pool.close(); // idempotent
        settled().untilAsserted(() -> {
            PoolStats s = pool.stats();
            assertThat(connector.open).as("nothing open after close; " + where).hasValue(0);
            assertThat(s.total()).isZero();
            assertThat(s.created()).as("created == closed after close; " + where).isEqualTo(s.closed());
            for (Conn c : connector.snapshot()) {
                assertThat(c.holders).as("%s: every holder (and validation) let go; %s", c, where).hasValue(0);
            }
        });
        assertThat(violations).as(where).isEmpty();
        for (Conn c : connector.snapshot()) {
            assertThat(c.closedByPool || c.closedByPeer).as("%s closed by someone; %s", c, where).isTrue();
        }
        return (long) THREADS * OPS;
    }

    /** Polls at once and then every millisecond, for at most 5 s. */
    private static ConditionFactory settled() {
        return await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1));
    }

    private static void work(ConnectionPool<Conn> pool, ChaosConnector connector, Random r, int closeAt, int maxTotal,
            int maxLeases, Model model, ConcurrentLinkedQueue<Pending> futures, ConcurrentLinkedQueue<String> violations)
            throws Exception {
        List<Pending> outstanding = new ArrayList<>();
        List<Lease<Conn>> held = new ArrayList<>();
        for (int op = 0; op < OPS; op++) {
            if (op == closeAt) {
                pool.close();
            }
            int dice = r.nextInt(100);
            if (dice < 35) {
                CompletableFuture<Lease<Conn>> f = pool.acquire(Duration.ofMillis(1 + r.nextInt(10)));
                AtomicInteger completions = new AtomicInteger();
                f.whenComplete((l, e) -> completions.incrementAndGet());
                Pending p = new Pending(f, completions);
                futures.add(p);
                outstanding.add(p);
                if (r.nextInt(100) < 15) {
                    f.cancel(false);
                }
            } else if (dice < 45 && !outstanding.isEmpty()) {
                outstanding.get(r.nextInt(outstanding.size())).future().cancel(false);
            } else if (dice < 55) {
                Lease<Conn> l = pool.tryAcquire();
                if (l != null) {
                    took(l, maxLeases, model, violations);
                    held.add(l);
                }
            } else if (dice < 80 && !held.isEmpty()) {
                end(held.remove(r.nextInt(held.size())), r.nextInt(100) < 15, model);
            } else if (dice < 83) {
                try {
                    Lease<Conn> l = pool.acquireBlocking(Duration.ofMillis(1 + r.nextInt(5)));
                    took(l, maxLeases, model, violations);
                    held.add(l);
                } catch (RuntimeException e) {
                    failed(e, model, violations);
                }
            } else if (dice < 86) {
                Conn c = connector.random(r);
                if (c != null) {
                    connector.peerClose(c);
                }
            } else if (dice < 87) {
                pool.evictAll();
            } else {
                // collect what completed; wait a little for the oldest to keep the window small
                if (outstanding.size() > 6) {
                    settle(outstanding.remove(0), held, maxLeases, model, violations);
                }
                for (int i = outstanding.size() - 1; i >= 0; i--) {
                    if (outstanding.get(i).future().isDone()) {
                        settle(outstanding.remove(i), held, maxLeases, model, violations);
                    }
                }
            }
            while (held.size() > 3) {
                end(held.remove(0), false, model);
            }
            int total = pool.stats().total();
            if (total > maxTotal) {
                violations.add("total " + total + " > maxTotal " + maxTotal);
            }
        }
        for (Pending p : outstanding) {
            if (r.nextBoolean()) {
                p.future().cancel(false);
            }
            settle(p, held, maxLeases, model, violations);
        }
        for (Lease<Conn> l : held) {
            end(l, false, model);
        }
    }

    private static void settle(Pending p, List<Lease<Conn>> held, int maxLeases, Model model,
            ConcurrentLinkedQueue<String> violations) throws InterruptedException {
        try {
            Lease<Conn> l = p.future().get(5, TimeUnit.SECONDS);
            took(l, maxLeases, model, violations);
            held.add(l);
        } catch (CancellationException e) {
            model.cancelled.incrementAndGet();
        } catch (ExecutionException e) {
            failed(e.getCause(), model, violations);
        } catch (TimeoutException e) {
            violations.add("an acquire future was still pending 5 s after its own timeout (ms): " + p.future());
        }
    }

    private static void took(Lease<Conn> l, int maxLeases, Model model, ConcurrentLinkedQueue<String> violations) {
        model.leases.incrementAndGet();
        int h = l.connection().holders.incrementAndGet();
        if (h > maxLeases) {
            violations.add(l.connection() + " has " + h + " holders (limit " + maxLeases + ")");
        }
        if (l.isEnded()) {
            violations.add("a lease arrived already ended: " + l);
        }
    }

    private static void end(Lease<Conn> l, boolean invalidate, Model model) {
        l.connection().holders.decrementAndGet(); // before the pool can hand the connection on
        if (invalidate) {
            model.invalidated.incrementAndGet();
            l.invalidate();
        } else {
            l.release();
        }
    }

    private static void failed(Throwable e, Model model, ConcurrentLinkedQueue<String> violations) {
        switch (e) {
            case AcquireTimeoutException t -> model.timeouts.incrementAndGet();
            case PoolExhaustedException t -> model.rejected.incrementAndGet();
            case EndpointDownException t -> model.down.incrementAndGet();
            case PoolClosedException t -> model.closed.incrementAndGet();
            default -> violations.add("unexpected acquire failure: " + e);
        }
    }
}
