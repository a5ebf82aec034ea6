package dev.netkit.netty.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.balance.EndpointStats;
import dev.netkit.core.balance.WeightedEndpoint;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.ClosedException;
import dev.netkit.core.error.ConnectionLostException;
import dev.netkit.core.error.ErrorKind;
import dev.netkit.core.error.NoEndpointsException;
import dev.netkit.core.error.QueueFullException;
import dev.netkit.core.error.RequestTimeoutException;
import dev.netkit.core.pool.PoolStats;
import dev.netkit.core.retry.RetryPolicy;
import dev.netkit.netty.server.AsyncRequestHandler;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.testing.ScriptedPeer;
import dev.netkit.netty.testing.TestServers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * Retries under random races (i4-review): a dead endpoint, servers answering at once, late or
 * never, one server stopped mid-run, one endpoint removed and added back, cancellations at random
 * moments (before dispatch, during a retry's backoff, while waiting for a connection, in flight),
 * deadlines, and (odd repetitions) the broker closed while requests and retries are pending.
 * Whatever happens: every future completes exactly once, no later than its deadline plus a slack,
 * a success carries its own payload, the balancer's outstanding counts return to 0 and the pools
 * hold no lease. The seed is printed; rerun one with -Dnetkit.seed=N.
 */
class BrokerRetryRandomizedTest {
    private static final int REQUESTS = 1_200;
    private static final long SLACK_NANOS = TimeUnit.SECONDS.toNanos(1);

    @RepeatedTest(4)
    void retriesCancellationsAndStopsNeverLoseOrDoubleACompletion(RepetitionInfo repetition) throws Exception {
        long seed = Long.getLong("netkit.seed", System.nanoTime() + repetition.getCurrentRepetition());
        boolean closeMidRun = repetition.getCurrentRepetition() % 2 == 1;
        int ioThreads = repetition.getCurrentRepetition() <= 2 ? 1 : 2;
        System.out.println("BrokerRetryRandomizedTest seed=" + seed + " closeMidRun=" + closeMidRun + " ioThreads=" + ioThreads);
        Random random = new Random(seed);
        ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor();
        AsyncRequestHandler chaotic = (request, alloc) -> {
            byte[] copy = new byte[request.readableBytes()];
            request.getBytes(request.readerIndex(), copy);
            CompletableFuture<ByteBuf> reply = new CompletableFuture<>();
            int fate = Math.floorMod(ByteBuffer.wrap(copy).getInt(4), 20);
            if (fate < 14) {
                reply.complete(Unpooled.wrappedBuffer(copy));
            } else if (fate < 19) {
                delays.schedule(() -> reply.complete(Unpooled.wrappedBuffer(copy)), (fate - 13) * 10L, TimeUnit.MILLISECONDS);
            } else {
                reply.complete(null); // never answered
            }
            return reply;
        };
        List<FrameServer> servers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            servers.add(FrameServer.builder().config(TestServers.loopback().shutdownTimeout(Duration.ofMillis(50))
                    .ioThreads(ioThreads).build()).asyncHandler(chaotic).start());
        }
        int dead;
        try (ScriptedPeer gone = new ScriptedPeer()) {
            dead = gone.port();
        }
        List<WeightedEndpoint> endpoints = new ArrayList<>();
        endpoints.add(WeightedEndpoint.of(new Endpoint("127.0.0.1", dead)));
        for (FrameServer s : servers) {
            endpoints.add(WeightedEndpoint.of(new Endpoint("127.0.0.1", s.localAddress().getPort())));
        }
        Endpoint removed = endpoints.get(2).address();
        RetryPolicy retry = RetryPolicy.builder().maxAttempts(3).backoffBase(Duration.ofMillis(5)).backoffMax(Duration.ofMillis(40))
                .retryOn(EnumSet.of(ErrorKind.CONNECTION_LOST, ErrorKind.POOL_CLOSED))
                .budgetMinRetriesPerSecond(1_000).budgetPercentCanRetry(1.0).build();
        Broker broker = Broker.create(BrokerConfig.builder().weightedEndpoints(endpoints).retry(retry)
                .connectionsPerEndpoint(2).maxInFlightPerConnection(16).ioThreads(ioThreads)
                .closeTimeout(Duration.ofMillis(300)).build());
        int n = REQUESTS;
        AtomicIntegerArray completions = new AtomicIntegerArray(n);
        AtomicLongArray lateBy = new AtomicLongArray(n);
        long[] deadlines = new long[n];
        List<byte[]> payloads = new ArrayList<>();
        List<CompletableFuture<byte[]>> futures = new ArrayList<>();
        AtomicInteger cancelled = new AtomicInteger();
        try {
            for (int i = 0; i < n; i++) {
                if (i == 300) {
                    servers.get(2).stopAsync(); // a backend dies with requests on it
                }
                if (i == 500) {
                    broker.removeEndpoint(removed);
                }
                if (i == 700) {
                    broker.addEndpoint(WeightedEndpoint.of(removed));
                }
                if (closeMidRun && i == 1_000) {
                    broker.closeAsync();
                }
                byte[] p = ByteBuffer.allocate(8 + random.nextInt(32)).putInt(i).putInt(random.nextInt()).array();
                Duration timeout = Duration.ofMillis(40 + random.nextInt(160));
                RequestOptions options = RequestOptions.defaults().withTimeout(timeout);
                if (random.nextBoolean()) {
                    options = options.asIdempotent();
                }
                long start = System.nanoTime();
                deadlines[i] = start + timeout.toNanos();
                CompletableFuture<byte[]> f = broker.send(p, options);
                int index = i;
                f.whenComplete((r, e) -> {
                    completions.incrementAndGet(index);
                    lateBy.set(index, System.nanoTime() - deadlines[index]);
                });
                int fate = random.nextInt(20);
                if (fate == 0) {
                    f.cancel(false);
                } else if (fate == 1) {
                    delays.schedule(() -> f.cancel(false), random.nextInt(60), TimeUnit.MILLISECONDS);
                }
                payloads.add(p);
                futures.add(f);
                if (random.nextInt(40) == 0) {
                    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).exceptionally(e -> null)
                            .get(10, TimeUnit.SECONDS);
                }
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> futures.stream().allMatch(CompletableFuture::isDone));
            int ok = 0;
            for (int i = 0; i < n; i++) {
                CompletableFuture<byte[]> f = futures.get(i);
                try {
                    assertThat(f.join()).as("seed %d request %d", seed, i).isEqualTo(payloads.get(i));
                    ok++;
                } catch (CancellationException expected) {
                    cancelled.incrementAndGet();
                } catch (CompletionException e) {
                    assertThat(e.getCause()).as("seed %d request %d", seed, i).isInstanceOfAny(RequestTimeoutException.class,
                            QueueFullException.class, ConnectionLostException.class, ClosedException.class,
                            NoEndpointsException.class);
                }
            }
            // Callbacks run after isDone() turns true: wait for the last ones before counting.
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                for (int i = 0; i < n; i++) {
                    if (completions.get(i) == 0) {
                        return false;
                    }
                }
                return true;
            });
            for (int i = 0; i < n; i++) {
                assertThat(completions.get(i)).as("seed %d request %d: completions", seed, i).isEqualTo(1);
                assertThat(lateBy.get(i)).as("seed %d request %d: ns past its deadline (%s)", seed, i, futures.get(i))
                        .isLessThan(SLACK_NANOS);
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                for (EndpointStats s : broker.balancerStats().endpoints()) {
                    assertThat(s.outstanding()).as("seed %d: outstanding on %s", seed, s.address()).isZero();
                }
                for (PoolStats s : broker.poolStats()) {
                    assertThat(s.leased()).as("seed %d: leases of %s", seed, s.endpoint()).isZero();
                    assertThat(s.inFlight()).as("seed %d: in flight on %s", seed, s.endpoint()).isZero();
                    assertThat(s.pending()).as("seed %d: pending on %s", seed, s.endpoint()).isZero();
                }
            });
            System.out.printf("seed=%d ok=%d cancelled=%d retries=%d timeouts=%d%n", seed, ok, cancelled.get(),
                    broker.stats().retries(), broker.stats().timeouts());
            assertThat(ok).as("seed %d: many requests succeed", seed).isGreaterThan(n / 3);
            assertThat(broker.stats().retries()).as("seed %d: retries happened", seed).isPositive();
        } finally {
            broker.closeAsync().get(10, TimeUnit.SECONDS);
            servers.forEach(FrameServer::stop);
            delays.shutdownNow();
            delays.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
