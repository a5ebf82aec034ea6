package dev.netkit.netty.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.backoff.ExponentialBackoff;
import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.time.ManualTicker;
import dev.netkit.netty.internal.RateLimitedLog;
import io.netty.channel.DefaultEventLoop;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Reconnect backoff on a manual clock: no waiting, exact boundaries. */
class ConnectionSlotTest {
    private static final Endpoint ENDPOINT = new Endpoint("127.0.0.1", 1);
    private final DefaultEventLoop loop = new DefaultEventLoop();
    private final ManualTicker clock = new ManualTicker();
    private final AtomicInteger dials = new AtomicInteger();

    @AfterEach
    void stopLoop() throws InterruptedException {
        loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).sync();
    }

    private ConnectionSlot slot(ExponentialBackoff backoff) {
        return new ConnectionSlot(ENDPOINT, backoff, clock, s -> {
            dials.incrementAndGet();
            BrokerConnection c = new BrokerConnection(ENDPOINT, 4, new BrokerCounters(),
                    new RateLimitedLog(LoggerFactory.getLogger(ConnectionSlotTest.class)), s);
            c.bindLoop(loop);
            return c;
        });
    }

    private static void failDial(BrokerConnection c) {
        c.connectFailed(new ConnectException("refused"));
        await().atMost(Duration.ofSeconds(3)).until(() -> !c.isUsable());
    }

    @Test
    void afterFailedDialsWaitsTheGrowingBackoffBeforeDialingAgain() {
        ConnectionSlot slot = slot(new ExponentialBackoff(Duration.ofMillis(100), 2.0, 0.0, Duration.ofMillis(250)));
        failDial(slot.connection());
        assertThat(dials.get()).isEqualTo(1);

        clock.advance(Duration.ofMillis(99));
        assertThat(slot.connection()).as("still backing off after 99 ms of 100").isNull();
        assertThat(slot.describeFailure()).contains("1 failed connect(s)").contains("refused").contains("next attempt in 1 ms");
        clock.advance(Duration.ofMillis(1));
        failDial(slot.connection());
        assertThat(dials.get()).isEqualTo(2);

        clock.advance(Duration.ofMillis(199));
        assertThat(slot.connection()).as("second wait doubles to 200 ms").isNull();
        clock.advance(Duration.ofMillis(1));
        failDial(slot.connection());

        clock.advance(Duration.ofMillis(249));
        assertThat(slot.connection()).as("third wait is capped at 250 ms").isNull();
        clock.advance(Duration.ofMillis(1));
        assertThat(slot.connection()).isNotNull();
        assertThat(dials.get()).isEqualTo(4);
    }

    @Test
    void aUsableConnectionIsReturnedWithoutDialingAgain() {
        ConnectionSlot slot = slot(ExponentialBackoff.grpcDefaults());
        BrokerConnection first = slot.connection();
        assertThat(slot.connection()).isSameAs(first);
        assertThat(slot.current()).isSameAs(first);
        assertThat(dials.get()).isEqualTo(1);
    }

    @Test
    void jitteredWaitsStayWithinTheirBounds() {
        ConnectionSlot slot = slot(new ExponentialBackoff(Duration.ofMillis(100), 2.0, 0.2, Duration.ofSeconds(1)));
        failDial(slot.connection());
        clock.advance(Duration.ofMillis(79));
        assertThat(slot.connection()).as("never earlier than 100 ms - 20 %").isNull();
        clock.advance(Duration.ofMillis(41));
        assertThat(slot.connection()).as("never later than 100 ms + 20 %").isNotNull();
    }
}
