package dev.netkit.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.ErrorKind;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventBusTest {
    private static final Endpoint E = new Endpoint("127.0.0.1", 7070);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static EndpointEjected ejected(int i) {
        return new EndpointEjected(i, E, "test " + i, Duration.ofSeconds(1));
    }

    @Test
    void withoutListenersTheBusIsInactiveAndPublishQueuesNothing() {
        try (EventBus bus = EventBus.create()) {
            assertThat(bus.active()).isFalse();
            assertThat(bus.wantsRequests()).isFalse();
            bus.publish(ejected(1));
            bus.publish(new ResponseReceived(1, E, 10));
            assertThat(bus.queued()).isZero();
            assertThat(bus.dropped()).isZero();
            assertThat(bus.delivered()).isZero();
        }
    }

    @Test
    void aPlainSubscriptionGetsEveryEventButPerRequestOnesInOrder() {
        try (EventBus bus = EventBus.create()) {
            List<NetkitEvent> seen = new CopyOnWriteArrayList<>();
            bus.subscribe(seen::add);
            assertThat(bus.active()).isTrue();
            assertThat(bus.wantsRequests()).as("nobody named per-request events: publishers must not create them").isFalse();
            bus.publish(ejected(1));
            bus.publish(new ResponseReceived(2, E, 10)); // discarded at once
            bus.publish(new EndpointReturned(3, E, "ejection over"));
            await().atMost(WAIT).until(() -> seen.size() == 2);
            assertThat(seen).extracting(NetkitEvent::nanoTime).containsExactly(1L, 3L);
            assertThat(bus.delivered()).isEqualTo(2);
        }
    }

    @Test
    void perRequestEventsGoOnlyToListenersThatNamedThemAndStopWhenTheyUnsubscribe() {
        try (EventBus bus = EventBus.create()) {
            List<NetkitEvent> all = new CopyOnWriteArrayList<>();
            List<NetkitEvent> requests = new CopyOnWriteArrayList<>();
            bus.subscribe(all::add);
            EventBus.Subscription sub = bus.subscribe(requests::add, Set.of(ResponseReceived.class, RequestFailed.class));
            assertThat(bus.wantsRequests()).isTrue();
            bus.publish(new ResponseReceived(1, E, 10));
            bus.publish(new RequestFailed(2, E, ErrorKind.TIMEOUT, 20, false));
            bus.publish(ejected(3));
            await().atMost(WAIT).until(() -> all.size() == 1 && requests.size() == 2);
            assertThat(all.getFirst()).isInstanceOf(EndpointEjected.class);
            assertThat(requests).extracting(NetkitEvent::nanoTime).containsExactly(1L, 2L);

            sub.close();
            assertThat(bus.wantsRequests()).isFalse();
            assertThat(bus.active()).isTrue();
        }
    }

    @Test
    void eventsOfTypesNoListenerTakesAreNeitherQueuedNorCounted() {
        try (EventBus bus = EventBus.create()) {
            List<NetkitEvent> seen = new CopyOnWriteArrayList<>();
            bus.subscribe(seen::add, Set.of(EndpointEjected.class));
            assertThat(bus.wants(EndpointEjected.class)).isTrue();
            assertThat(bus.wants(ConnectionOpened.class)).as("emit sites skip creating these").isFalse();
            assertThat(bus.wantsRequests()).isFalse();
            bus.publish(new ConnectionOpened(1, E, Side.CLIENT));
            bus.publish(ejected(2));
            await().atMost(WAIT).until(() -> seen.size() == 1);
            assertThat(seen.getFirst().nanoTime()).isEqualTo(2);
            assertThat(bus.delivered()).isEqualTo(1);
            assertThat(bus.dropped()).isZero();
        }
    }

    @Test
    void aListenerThatThrowsIsCountedAndTheOthersStillGetEveryEvent() {
        try (EventBus bus = EventBus.create()) {
            List<NetkitEvent> seen = new CopyOnWriteArrayList<>();
            bus.subscribe(e -> { throw new IllegalStateException("listener bug"); });
            bus.subscribe(seen::add);
            for (int i = 0; i < 50; i++) {
                bus.publish(ejected(i));
            }
            await().atMost(WAIT).until(() -> seen.size() == 50);
            assertThat(bus.listenerFailures()).isEqualTo(50);
            assertThat(bus.delivered()).isEqualTo(50);
        }
    }

    @Test
    void aBlockedListenerNeverBlocksPublishersEventsBeyondTheQueueAreDroppedAndCounted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstTaken = new CountDownLatch(1);
        try (EventBus bus = EventBus.create("test-events", 8)) {
            List<NetkitEvent> seen = new CopyOnWriteArrayList<>();
            bus.subscribe(e -> {
                firstTaken.countDown();
                try {
                    release.await();
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                seen.add(e);
            });
            bus.publish(ejected(0));
            assertThat(firstTaken.await(5, TimeUnit.SECONDS)).isTrue(); // the bus thread is now stuck in the listener
            for (int i = 1; i <= 100; i++) {
                bus.publish(ejected(i)); // would hang this test if publish could block
            }
            assertThat(bus.dropped()).as("8 slots, the rest dropped").isEqualTo(100 - 8);
            release.countDown();
            await().atMost(WAIT).until(() -> seen.size() == 9);
            assertThat(seen).extracting(NetkitEvent::nanoTime).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        }
    }

    @Test
    void closeDeliversWhatIsQueuedThenStopsTakingEvents() {
        EventBus bus = EventBus.create();
        List<NetkitEvent> seen = new CopyOnWriteArrayList<>();
        bus.subscribe(seen::add);
        for (int i = 0; i < 100; i++) {
            bus.publish(ejected(i));
        }
        bus.close();
        assertThat(seen).hasSize(100);
        assertThat(bus.active()).isFalse();
        bus.publish(ejected(101));
        assertThat(bus.queued()).isZero();
        assertThatThrownBy(() -> bus.subscribe(seen::add)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void subscribingToNoTypesIsAMistake() {
        try (EventBus bus = EventBus.create()) {
            assertThatThrownBy(() -> bus.subscribe(e -> {}, Set.of()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("types");
        }
    }
}
