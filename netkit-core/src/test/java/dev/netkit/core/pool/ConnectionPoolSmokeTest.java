package dev.netkit.core.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.time.ManualScheduler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** One pass through the basics on a manual clock: prewarm, lease, dial on demand, wait, hand off, time out, close. */
class ConnectionPoolSmokeTest {
    private final ManualScheduler time = new ManualScheduler();
    private final FakeConnector connector = new FakeConnector();

    private ConnectionPool<FakeConnector.Conn> pool(PoolConfig config) {
        return ConnectionPool.builder(Endpoint.parse("127.0.0.1:1"), connector)
                .config(config).time(time.ticker(), time).build();
    }

    @Test
    void prewarmsLeasesReleasesAndWaits() {
        var pool = pool(PoolConfig.builder().minIdle(1).maxTotal(2).build());
        assertThat(pool.stats().total()).isEqualTo(1);
        Lease<FakeConnector.Conn> a = pool.tryAcquire();
        assertThat(a).isNotNull();
        CompletableFuture<Lease<FakeConnector.Conn>> b = pool.acquire();
        assertThat(b).isCompleted(); // dialed a second at once
        CompletableFuture<Lease<FakeConnector.Conn>> c = pool.acquire();
        assertThat(c).isNotDone();
        assertThat(pool.stats().summary()).isEqualTo("total=2 leased=2 idle=0 waiting=1 dialing=0 in_flight=2");
        a.release();
        assertThat(c).isCompleted();
        assertThat(c.join().connection()).isSameAs(a.connection());
        assertThatThrownBy(a::release).isInstanceOf(IllegalStateException.class).hasMessageContaining("already released");
        CompletableFuture<Lease<FakeConnector.Conn>> d = pool.acquire(Duration.ofMillis(100));
        time.advance(Duration.ofMillis(100));
        assertThat(d).isCompletedExceptionally();
        assertThatThrownBy(d::join).hasCauseInstanceOf(AcquireTimeoutException.class)
                .hasMessageContaining("total=2 leased=2 idle=0 waiting=");
        b.join().release();
        c.join().release();
        PoolStats s = pool.stats();
        assertThat(s.idle()).isEqualTo(2);
        assertThat(s.pending()).isZero();
        assertThat(s.acquired()).isEqualTo(3);
        assertThat(s.reused()).isEqualTo(1);
        pool.close();
        assertThat(connector.openCount()).isZero();
        assertThat(pool.stats().closed(CloseReason.POOL_CLOSED)).isEqualTo(2);
    }
}
