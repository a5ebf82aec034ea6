package dev.netkit.netty.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.ClosedException;
import dev.netkit.core.error.ConnectionLostException;
import dev.netkit.netty.internal.RateLimitedLog;
import io.netty.channel.DefaultEventLoop;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** BrokerConnection without a socket: the paths around connecting and a dead event loop. */
class BrokerConnectionTest {
    private static final Endpoint ENDPOINT = new Endpoint("127.0.0.1", 1);

    private static BrokerConnection connection(DefaultEventLoop loop) {
        BrokerConnection c = new BrokerConnection(ENDPOINT, 16, new BrokerCounters(),
                new RateLimitedLog(LoggerFactory.getLogger(BrokerConnectionTest.class)), () -> {});
        c.bindLoop(loop);
        return c;
    }

    private static PendingRequest request() {
        // lease-less, like a validation ping: these connections have no pool behind them
        return PendingRequest.ping(new byte[] {1}, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
    }

    @Test
    void everySubmitAfterTheEventLoopIsGoneFailsAtOnce() throws Exception {
        DefaultEventLoop loop = new DefaultEventLoop();
        loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).sync();
        BrokerConnection c = connection(loop);
        for (int i = 0; i < 3; i++) {
            PendingRequest r = request();
            c.submit(r);
            assertThat(r).as("submit %d", i).isCompletedExceptionally();
            assertThat(r.exceptionNow()).isInstanceOf(ClosedException.class);
        }
        c.close(new ClosedException("closing")); // must not throw on a dead loop
        assertThat(c.isUsable()).isFalse();
    }

    @Test
    void aConnectFailureReportedOffTheLoopFailsTheConnectionOnTheLoop() throws Exception {
        DefaultEventLoop loop = new DefaultEventLoop();
        try {
            BrokerConnection c = connection(loop);
            assertThat(c.isUsable()).as("not usable before it is open").isFalse();
            c.connectFailed(new ConnectException("refused")); // from this (non-loop) thread
            await().atMost(Duration.ofSeconds(3)).until(() -> c.ready().isDone());
            assertThat(c.ready().exceptionNow()).isInstanceOf(ConnectionLostException.class).hasMessageContaining("refused");
            assertThat(c.isUsable()).isFalse();
            assertThat(c.ready()).isCompletedExceptionally();
            try {
                c.ready().join();
            } catch (CompletionException e) {
                assertThat(e.getCause()).isInstanceOf(ConnectionLostException.class);
            }
        } finally {
            loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).sync();
        }
    }
}
