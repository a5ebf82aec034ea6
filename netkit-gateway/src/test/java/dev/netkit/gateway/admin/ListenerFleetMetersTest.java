package dev.netkit.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.gateway.AnetListenerStats;
import dev.netkit.netty.fleet.FleetStats;
import dev.netkit.netty.server.FrameServer;
import dev.netkit.netty.testing.TestServers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A listener's fleet limit gets its meters when a snapshot first has one, and they read the latest snapshot. */
class ListenerFleetMetersTest {
    private static double counter(SimpleMeterRegistry registry, String name) {
        return registry.get(name).tag("listener", "front").functionCounter().count();
    }

    @Test
    void theListenersFleetLimitIsMetered() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Object anchor = new Object();
        try (FrameServer server = TestServers.echo();
             ListenerMeters meters = new ListenerMeters(registry, "front", anchor)) {
            meters.update(new AnetListenerStats("front", 0, 0, Map.of(), 0, 0, server.stats()));
            assertThat(registry.find("netkit.gateway.listener.fleet.admitted").meters()).as("no fleet limit: no meters").isEmpty();
            meters.update(new AnetListenerStats("front", 10, 7, Map.of(), 0, 0, server.stats(), Map.of(),
                    new FleetStats(7, 3, 4, 8, 1, 1, Map.of("timeout", 1L), false, 2)));
            assertThat(counter(registry, "netkit.gateway.listener.fleet.admitted")).isEqualTo(7);
            assertThat(counter(registry, "netkit.gateway.listener.fleet.rate.limited")).isEqualTo(3);
            assertThat(counter(registry, "netkit.gateway.listener.fleet.round.trips")).isEqualTo(4);
            assertThat(counter(registry, "netkit.gateway.listener.fleet.fallback.admitted")).isEqualTo(1);
            meters.update(new AnetListenerStats("front", 20, 15, Map.of(), 0, 0, server.stats(), Map.of(),
                    new FleetStats(15, 5, 9, 16, 1, 1, Map.of("timeout", 1L), false, 2)));
            assertThat(counter(registry, "netkit.gateway.listener.fleet.admitted")).as("the latest snapshot").isEqualTo(15);
            assertThat(registry.find("netkit.gateway.listener.fleet.admitted").meters()).as("registered once").hasSize(1);
        }
    }
}
