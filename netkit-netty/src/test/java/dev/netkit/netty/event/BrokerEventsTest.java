package dev.netkit.netty.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.ErrorKind;
import dev.netkit.core.event.ConnectionClosed;
import dev.netkit.core.event.ConnectionOpened;
import dev.netkit.core.event.EndpointEjected;
import dev.netkit.core.event.EventBus;
import dev.netkit.core.event.NetkitEvent;
import dev.netkit.core.event.RequestFailed;
import dev.netkit.core.event.ResponseReceived;
import dev.netkit.core.event.Side;
import dev.netkit.netty.client.Broker;
import dev.netkit.netty.client.BrokerConfig;
import dev.netkit.netty.client.BrokerHooks;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.server.RequestHandler;
import dev.netkit.netty.testing.EventLog;
import dev.netkit.netty.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A broker's (and its server's) typed events against known traffic on loopback. */
class BrokerEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static Endpoint endpointOf(FrameServer server) {
        return new Endpoint("127.0.0.1", server.localAddress().getPort());
    }


    @Test
    void nRequestsGiveNResponsesAndConnectionsOpenAndCloseWithTheirReasonOnBothSides() throws Exception {
        EventLog requests = new EventLog();
        EventLog rest = new EventLog();
        try (EventBus bus = EventBus.create()) {
            bus.subscribe(requests, Set.of(ResponseReceived.class, RequestFailed.class));
            bus.subscribe(rest);
            FrameServer server = FrameServer.builder().config(TestServers.loopback().build())
                    .handler(RequestHandler.echo()).events(bus).start();
            Endpoint live = endpointOf(server);
            try (Broker broker = Broker.create(BrokerConfig.builder().endpoints(live.toString()).build(),
                    BrokerHooks.builder().events(bus).build())) {
                for (int i = 0; i < 20; i++) {
                    assertThat(broker.call(bytes("r" + i))).isEqualTo(bytes("r" + i));
                }
                await().atMost(WAIT).until(() -> requests.of(ResponseReceived.class).size() == 20);
                assertThat(requests.of(ResponseReceived.class)).allSatisfy(r -> {
                    assertThat(r.endpoint()).isEqualTo(live);
                    assertThat(r.latencyNanos()).isPositive();
                });
                assertThat(requests.of(RequestFailed.class)).isEmpty();
                assertThat(rest.all()).as("a plain subscription gets no per-request events")
                        .noneMatch(NetkitEvent::perRequest);
                await().atMost(WAIT).until(() -> rest.of(ConnectionOpened.class).size() == 2);
                assertThat(rest.of(ConnectionOpened.class)).extracting(ConnectionOpened::side)
                        .containsExactlyInAnyOrder(Side.CLIENT, Side.SERVER);
                assertThat(rest.of(ConnectionOpened.class)).filteredOn(e -> e.side() == Side.CLIENT)
                        .extracting(ConnectionOpened::endpoint).containsExactly(live);

                server.stop(); // closes the broker's connection from the server's end

                await().atMost(WAIT).until(() -> rest.of(ConnectionClosed.class).size() == 2);
                assertThat(rest.of(ConnectionClosed.class)).filteredOn(e -> e.side() == Side.SERVER)
                        .singleElement().satisfies(e -> assertThat(e.reason()).isEqualTo("server_stopped"));
                assertThat(rest.of(ConnectionClosed.class)).filteredOn(e -> e.side() == Side.CLIENT)
                        .singleElement().satisfies(e -> {
                            assertThat(e.endpoint()).isEqualTo(live);
                            assertThat(e.reason()).isEqualTo("peer_closed");
                        });
            } finally {
                server.stop();
            }
            assertThat(bus.dropped()).isZero();
        }
    }

    @Test
    void aDeadEndpointsFailedAttemptsAndItsEjectionAreReported() throws Exception {
        int dead = TestServers.deadPort();
        EventLog log = new EventLog();
        try (EventBus bus = EventBus.create();
             FrameServer live = FrameServer.builder().config(TestServers.loopback().build()).handler(RequestHandler.echo()).start();
             Broker broker = Broker.create(BrokerConfig.builder()
                     .endpoints("127.0.0.1:" + dead + "," + endpointOf(live)).build(),
                     BrokerHooks.builder().events(bus).build())) {
            bus.subscribe(log, Set.of(NetkitEvent.class));
            for (int i = 0; i < 50; i++) {
                assertThat(broker.call(bytes("r" + i))).isEqualTo(bytes("r" + i));
            }
            long retries = broker.stats().retries();
            await().atMost(WAIT).until(() -> log.of(ResponseReceived.class).size() == 50
                    && log.of(RequestFailed.class).size() == retries && !log.of(EndpointEjected.class).isEmpty());
            assertThat(log.of(RequestFailed.class)).isNotEmpty().allSatisfy(f -> {
                assertThat(f.endpoint().port()).isEqualTo(dead);
                assertThat(f.kind()).isEqualTo(ErrorKind.CONNECTION_LOST);
                assertThat(f.retried()).as("never written, so sent to the live endpoint").isTrue();
            });
            assertThat(log.of(EndpointEjected.class)).singleElement().satisfies(e -> {
                assertThat(e.endpoint().port()).isEqualTo(dead);
                assertThat(e.reason()).isNotBlank();
                assertThat(e.duration()).isPositive();
            });
        }
    }

    @Test
    void listenersThatThrowOrBlockNeitherFailNorSlowRequestsTheirEventsAreDroppedAndCounted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        EventLog afterRelease = new EventLog();
        try (EventBus bus = EventBus.create("test-events", 16);
             FrameServer server = FrameServer.builder().config(TestServers.loopback().build()).handler(RequestHandler.echo()).start();
             Broker broker = Broker.create(BrokerConfig.builder().endpoints(endpointOf(server).toString()).build(),
                     BrokerHooks.builder().events(bus).build())) {
            bus.subscribe(e -> { throw new IllegalStateException("listener bug"); }, Set.of(ResponseReceived.class));
            bus.subscribe(e -> {
                try {
                    release.await(); // stuck until the requests are done: at most 16 events wait for it
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                afterRelease.onEvent(e);
            }, Set.of(ResponseReceived.class));
            List<CompletableFuture<byte[]>> sent = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                sent.add(broker.send(bytes("r" + i), Duration.ofSeconds(5)));
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 500; i++) {
                assertThat(sent.get(i).join()).isEqualTo(bytes("r" + i));
            }
            assertThat(bus.dropped()).as("500 responses, 16 slots, a stuck listener").isGreaterThanOrEqualTo(500 - 16 - 1);
            release.countDown();
            await().atMost(WAIT).until(() -> bus.delivered() + bus.dropped() == 500);
            assertThat(afterRelease.all()).hasSize((int) bus.delivered());
            assertThat(bus.listenerFailures()).isEqualTo(bus.delivered());
        }
    }

    @Test
    void aBusWithoutListenersIsNeverGivenAnEvent() throws Exception {
        try (EventBus bus = EventBus.create();
             FrameServer server = FrameServer.builder().config(TestServers.loopback().build())
                     .handler(RequestHandler.echo()).events(bus).start();
             Broker broker = Broker.create(BrokerConfig.builder().endpoints(endpointOf(server).toString()).build(),
                     BrokerHooks.builder().events(bus).slowRequestThreshold(Duration.ofNanos(1)).build())) {
            for (int i = 0; i < 20; i++) {
                assertThat(broker.call(bytes("r" + i))).isEqualTo(bytes("r" + i));
            }
            assertThat(bus.active()).isFalse();
            assertThat(bus.wantsRequests()).isFalse();
            // Every emit site checks active()/wantsRequests() (or publish() discards): nothing queued,
            // dropped or delivered, although every request was "slow" and connections opened.
            assertThat(bus.queued()).isZero();
            assertThat(bus.dropped()).isZero();
            assertThat(bus.delivered()).isZero();
        }
    }
}
