package dev.netkit.core.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.time.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;

/**
 * Shared fixture of the manual-clock pool tests: a {@link ManualScheduler} (time moves only in
 * {@link #advance}), a {@link FakeConnector} and a {@link RecordingListener}. After each test every
 * pool is closed and no connection may have been closed twice by the pool.
 */
abstract class ManualClockPoolTest {
    static final Endpoint ENDPOINT = Endpoint.parse("10.0.0.1:7000"); // never dialled: the connector is fake

    final ManualScheduler time = new ManualScheduler();
    final FakeConnector connector = new FakeConnector();
    final RecordingListener listener = new RecordingListener();
    private final List<ConnectionPool<?>> pools = new ArrayList<>();

    /** Defaults without surprises for focused tests: no lifetime, no idle timeout, no redial delay. */
    static PoolConfig.Builder config() {
        return PoolConfig.builder().maxLifetime(Duration.ZERO).idleTimeout(Duration.ZERO).redialDelayMax(Duration.ZERO);
    }

    ConnectionPool<FakeConnector.Conn> pool(PoolConfig.Builder config) {
        return pool(ConnectionPool.builder(ENDPOINT, connector).config(config.build()));
    }

    ConnectionPool<FakeConnector.Conn> pool(ConnectionPool.Builder<FakeConnector.Conn> builder) {
        ConnectionPool<FakeConnector.Conn> pool = builder.listener(listener).time(time.ticker(), time).build();
        pools.add(pool);
        return pool;
    }

    void advance(Duration d) {
        time.advance(d);
    }

    void advanceMillis(long ms) {
        time.advance(Duration.ofMillis(ms));
    }

    static <T> T done(CompletableFuture<T> f) {
        assertThat(f).isCompleted();
        return f.join();
    }

    @AfterEach
    void closePoolsAndCheckConnections() {
        pools.forEach(ConnectionPool::close);
        for (FakeConnector.Conn c : connector.created()) {
            assertThat(c.closeCalls.get()).as("%s closed by the pool at most once", c).isLessThanOrEqualTo(1);
        }
    }
}
