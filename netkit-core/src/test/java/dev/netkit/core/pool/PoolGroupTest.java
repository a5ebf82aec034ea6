package dev.netkit.core.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.NoEndpointsException;
import dev.netkit.core.pool.FakeConnector.Conn;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * {@link PoolGroup}: one pool per distinct endpoint from one factory, adding and removing
 * endpoints (removal closes that pool, leases out keep working until released), stats per pool,
 * evictAll and close across the group.
 */
class PoolGroupTest extends ManualClockPoolTest {
    private final Map<Endpoint, FakeConnector> connectors = new ConcurrentHashMap<>();

    private ConnectionPool<Conn> create(Endpoint endpoint) {
        FakeConnector c = connectors.computeIfAbsent(endpoint, e -> new FakeConnector());
        return ConnectionPool.builder(endpoint, c).config(config().minIdle(1).maxTotal(2).build())
                .time(time.ticker(), time).build();
    }

    @Test
    void onePoolPerEndpointAddRemoveStatsAndClose() {
        Endpoint a = Endpoint.parse("10.0.0.1:1");
        Endpoint b = Endpoint.parse("10.0.0.2:1");
        Endpoint c = Endpoint.parse("10.0.0.3:1");
        PoolGroup<Conn> group = new PoolGroup<>(List.of(a, b, a), this::create);
        try {
            assertThat(group.pools()).extracting(ConnectionPool::endpoint).containsExactly(a, b);
            assertThat(group.pool(a).endpoint()).isEqualTo(a);
            assertThat(group.pool(c)).isNull();
            assertThat(group.stats()).extracting(PoolStats::endpoint).containsExactly(a, b);
            assertThat(group.stats()).allMatch(s -> s.total() == 1);

            ConnectionPool<Conn> poolA = group.pool(a);
            assertThat(group.add(a)).as("already there").isSameAs(poolA);
            ConnectionPool<Conn> poolC = group.add(c);
            assertThat(group.pools()).extracting(ConnectionPool::endpoint).containsExactly(a, b, c);
            assertThat(connectors.get(c).dials).hasValue(1);

            Lease<Conn> heldOnA = poolA.tryAcquire();
            assertThat(group.remove(a)).isTrue();
            assertThat(poolA.isClosed()).isTrue();
            assertThat(group.pool(a)).isNull();
            assertThat(group.remove(a)).isFalse();
            assertThat(heldOnA.connection().open).as("a lease out keeps working until released").isTrue();
            heldOnA.release();
            assertThat(heldOnA.connection().closedByPool).isTrue();

            group.evictAll();
            assertThat(poolC.stats().closed(CloseReason.EVICTED)).isEqualTo(1);
            assertThat(poolC.stats().total()).as("min idle refilled").isEqualTo(1);
            assertThat(group.stats()).extracting(PoolStats::endpoint).containsExactly(b, c);
        } finally {
            group.close();
        }
        assertThat(group.pools()).allMatch(ConnectionPool::isClosed);
        group.close(); // idempotent
        assertThatThrownBy(() -> group.add(Endpoint.parse("10.0.0.4:1"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        connectors.values().forEach(fc -> assertThat(fc.openCount()).isZero());
    }

    @Test
    void anEmptyGroupIsRefused() {
        assertThatThrownBy(() -> new PoolGroup<>(List.of(), this::create)).isInstanceOf(NoEndpointsException.class);
        assertThat(connectors).isEmpty();
    }
}
