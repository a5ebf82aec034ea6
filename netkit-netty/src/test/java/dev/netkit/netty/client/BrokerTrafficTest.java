package dev.netkit.netty.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.error.ErrorKind;
import dev.netkit.core.event.EventBus;
import dev.netkit.core.event.LimitReached;
import dev.netkit.core.error.RateLimitedException;
import dev.netkit.core.limit.RateLimit;
import dev.netkit.core.qos.QosClass;
import dev.netkit.core.qos.QosPolicy;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.EventLog;
import dev.netkit.netty.testing.HeldRequests;
import dev.netkit.netty.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The broker's send limit (delayed on a timer, bounded, failing fast beyond) and its classes of
 * service (the pool's waiting line by class), over real loopback sockets.
 */
class BrokerTrafficTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    private static BrokerConfig.Builder to(FrameServer server) {
        return BrokerConfig.builder().endpoints("127.0.0.1:" + server.localAddress().getPort());
    }

    @Test
    void sendsOverTheRateAreDelayedNotRefusedAndAllComplete() throws Exception {
        try (FrameServer server = TestServers.echo();
             Broker broker = Broker.create(to(server).sendLimit(SendLimit.requestsPerSecond(20, 2)).build())) {
            long start = System.nanoTime();
            List<CompletableFuture<byte[]>> all = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                all.add(broker.send(bytes("r" + i), Duration.ofSeconds(5)));
            }
            for (int i = 0; i < 12; i++) {
                assertThat(text(all.get(i).get(5, TimeUnit.SECONDS))).isEqualTo("r" + i);
            }
            long elapsed = System.nanoTime() - start;
            assertThat(elapsed).as("10 beyond the burst at 20/s").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(480));
            BrokerStats stats = broker.stats();
            assertThat(stats.throttled()).isEqualTo(10);
            assertThat(stats.throttledNanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50 + 100 + 150 + 200 + 250 + 300 + 350 + 400 + 450 + 500 - 10));
            assertThat(stats.rateLimited()).isZero();
            // The timer task stops counting its send as delayed just after handing it on, which may be
            // a moment after its answer came back: a bounded wait, not a race.
            await().atMost(Duration.ofSeconds(5)).until(() -> broker.inFlight() == 0);
        }
    }

    @Test
    void beyondMaxDelayedSendsAndBeyondTheDeadlineSendsFailFastNamingTheLimit() throws Exception {
        SendLimit limit = new SendLimit(new RateLimit("broker send requests/s", 10, 1), null, 3);
        try (FrameServer server = TestServers.echo();
             Broker broker = Broker.create(to(server).sendLimit(limit).build())) {
            List<CompletableFuture<byte[]>> all = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                all.add(broker.send(bytes("r" + i), Duration.ofSeconds(5)));
            }
            for (int i = 4; i < 10; i++) {
                assertThat(all.get(i)).as("send %d", i).isCompletedExceptionally();
                assertThatThrownBy(all.get(i)::join).isInstanceOf(CompletionException.class)
                        .hasCauseInstanceOf(RateLimitedException.class)
                        .hasMessageContaining("send refused by the rate limit (broker send requests/s 10/s burst 1): "
                                + "maxDelayedSends 3 sends are already waiting for tokens");
            }
            assertThat(broker.inFlight()).as("the three delayed sends count as in flight").isGreaterThanOrEqualTo(3);
            for (int i = 0; i < 4; i++) {
                assertThat(text(all.get(i).get(5, TimeUnit.SECONDS))).isEqualTo("r" + i);
            }
            // Now the bucket is in debt for no one; a request whose deadline is shorter than its wait fails at once.
            assertThat(broker.send(bytes("a"), Duration.ofSeconds(1)).get(5, TimeUnit.SECONDS)).isNotNull();
            CompletableFuture<byte[]> hasty = broker.send(bytes("b"), Duration.ofMillis(20));
            assertThat(hasty).isCompletedExceptionally();
            RateLimitedException e = (RateLimitedException) assertThatThrownBy(hasty::join).actual().getCause();
            assertThat(e.kind()).isEqualTo(ErrorKind.RATE_LIMITED);
            assertThat(e.getMessage()).contains("the tokens would not be earned within the request's deadline of 20 ms");
            assertThat(broker.stats().rateLimited()).isEqualTo(7);
        }
    }

    @Test
    void aDelayedOrRefusedSendIsToldAsALimitReachedEventAtMostOnceASecond() throws Exception {
        EventLog log = new EventLog();
        try (EventBus bus = EventBus.create()) {
            bus.subscribe(log, Set.of(LimitReached.class));
            SendLimit limit = new SendLimit(new RateLimit("broker send requests/s", 10, 1), null, 1);
            try (FrameServer server = TestServers.echo();
                 Broker broker = Broker.create(to(server).sendLimit(limit).build(), BrokerHooks.builder().events(bus).build())) {
                List<CompletableFuture<byte[]>> all = new ArrayList<>();
                for (int i = 0; i < 5; i++) { // 1 at once, 1 delayed, 3 refused (maxDelayedSends 1)
                    all.add(broker.send(bytes("r" + i), Duration.ofSeconds(5)));
                }
                assertThat(text(all.get(1).get(5, TimeUnit.SECONDS))).isEqualTo("r1");
                await().atMost(Duration.ofSeconds(5)).until(() -> !log.of(LimitReached.class).isEmpty());
                LimitReached first = log.of(LimitReached.class).getFirst();
                assertThat(first.limit()).isEqualTo(LimitReached.Limit.SEND_RATE_LIMIT);
                assertThat(first.value()).as("the delayed send's wait, in microseconds").isBetween(1L, 100_000L);
                assertThat(first.endpoint()).isNull();
                assertThat(log.of(LimitReached.class)).as("four limited sends within a second: one event").hasSize(1);
                assertThat(broker.stats().rateLimited()).isEqualTo(3);
            }
        }
    }

    @Test
    void waitersAreServedByClassWhenTheConnectionIsBusy() throws Exception {
        QosPolicy qos = new QosPolicy(List.of(new QosClass("control", 1, 10), new QosClass("gold", 3, 10),
                new QosClass("bronze", 1, 10)), "bronze", "control", 4);
        HeldRequests held = new HeldRequests();
        try (FrameServer server = FrameServer.builder().config(TestServers.loopback().build()).asyncHandler(held).start();
             Broker broker = Broker.create(to(server).connectionsPerEndpoint(1).maxInFlightPerConnection(1).qos(qos).build())) {
            CompletableFuture<byte[]> first = broker.send(bytes("first"), Duration.ofSeconds(5));
            HeldRequests.Held busy = held.next(); // the one connection is now leased
            List<CompletableFuture<byte[]>> all = new ArrayList<>();
            String[] classes = {"bronze", "bronze", "gold", "gold", "gold", "gold", "control"};
            for (int i = 0; i < classes.length; i++) {
                all.add(broker.send(bytes(classes[i] + i), RequestOptions.defaults().withTimeout(Duration.ofSeconds(5))
                        .withQosClass(classes[i])));
            }
            all.add(broker.send(bytes("plain7"), Duration.ofSeconds(5))); // no class named: the default, bronze
            await().atMost(Duration.ofSeconds(5)).until(() -> broker.poolStats().get(0).pending() == classes.length + 1);
            busy.echo();
            List<String> order = new ArrayList<>();
            for (int i = 0; i <= classes.length; i++) {
                HeldRequests.Held h = held.next();
                order.add(text(h.payload()));
                h.echo();
            }
            assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(bytes("first"));
            assertThat(order).containsExactly("control6", "gold2", "gold3", "gold4", "bronze0", "gold5", "bronze1", "plain7");
            for (CompletableFuture<byte[]> f : all) {
                assertThat(f.get(5, TimeUnit.SECONDS)).isNotNull();
            }
            CompletableFuture<byte[]> unknown = broker.send(bytes("x"), RequestOptions.defaults().withQosClass("platinum"));
            assertThatThrownBy(unknown::join).hasCauseInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("qos class 'platinum': unknown (expected one of [control, gold, bronze])");
        }
    }

    @Test
    void aClassWithoutAPolicyIsAClearError() throws Exception {
        try (FrameServer server = TestServers.echo(); Broker broker = Broker.create(to(server).build())) {
            CompletableFuture<byte[]> f = broker.send(bytes("x"), RequestOptions.defaults().withQosClass("gold"));
            assertThatThrownBy(f::join).hasCauseInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("qosClass: 'gold' (this broker has no qos policy; set BrokerConfig.qos)");
            assertThat(broker.call(bytes("y"))).isEqualTo(bytes("y"));
            assertThatThrownBy(() -> new SendLimit(null, null, 1))
                    .hasMessage("sendLimit: neither requests, bytes nor a fleet rate limited (expected: at least one)");
            assertThatThrownBy(() -> SendLimit.requestsPerSecond(0, 1))
                    .hasMessageStartingWith("broker send requests/s: rate 0 (expected: 1..");
            assertThatThrownBy(() -> new SendLimit(new RateLimit("r", 1, 1), null, 0)).hasMessage("maxDelayedSends: 0 (expected: > 0)");
        }
    }
}
