package dev.netkit.core.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.netkit.core.error.NoEndpointsException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Zone-aware routing: the local share min(1, h × 1.4), the all-local and all-remote edges, key
 * stickiness and overload spill. Proportions are checked on the seeded decision function.
 */
class ZoneAwarePickerTest {
    private static final long SEED = Long.getLong("netkit.seed", System.nanoTime());

    /** {@code local} endpoints in zone "a" and {@code remote} in "b", numbered from 0. */
    private static List<EndpointState> zones(int local, int remote) {
        List<EndpointState> list = new ArrayList<>();
        for (int i = 0; i < local + remote; i++) {
            list.add(TestEndpoints.inZone(i, i < local ? "a" : "b"));
        }
        return list;
    }

    private static int localPicks(Picker picker, int picks) {
        int local = 0;
        for (int i = 0; i < picks; i++) {
            if (picker.pick().endpoint().zone().equals("a")) {
                local++;
            }
        }
        return local;
    }

    @Test
    void aFullyHealthyLocalZoneKeepsEveryPick() {
        ZoneAwarePicker picker = ZoneAwarePicker.create("a", zones(3, 6), 3, Strategy.ROUND_ROBIN);
        assertThat(picker.localShare()).isEqualTo(1.0);
        assertThat(localPicks(picker, 10_000)).isEqualTo(10_000);
        assertThat(picker.endpoints()).hasSize(9);
    }

    @Test
    void overprovisioningKeepsEverythingLocalDownToOneOverOnePointFourHealthy() {
        // 5 of 7 healthy: 5/7 × 1.4 = 1 exactly (decided in integers, not doubles).
        ZoneAwarePicker picker = ZoneAwarePicker.create("a", zones(5, 5), 7, Strategy.LEAST_OUTSTANDING);
        assertThat(picker.localShare()).isEqualTo(1.0);
        assertThat(localPicks(picker, 10_000)).isEqualTo(10_000);
        assertThat(ZoneAwarePicker.create("a", zones(4, 5), 7, Strategy.ROUND_ROBIN).localShare())
                .isCloseTo(0.8, offset(1e-12));
    }

    @Test
    void thePartOfAZoneThatIsUnhealthySpillsInProportion() {
        for (int[] c : new int[][] {{1, 2}, {1, 4}, {3, 10}}) {
            int healthy = c[0];
            int members = c[1];
            double share = Math.min(1, 1.4 * healthy / members);
            ZoneAwarePicker picker = ZoneAwarePicker.create("a", zones(healthy, 4), members, Strategy.ROUND_ROBIN);
            assertThat(picker.localShare()).isCloseTo(share, offset(1e-12));
            SplittableRandom random = new SplittableRandom(SEED);
            int draws = 200_000;
            int local = 0;
            int keyedLocal = 0;
            for (int i = 0; i < draws; i++) {
                if (picker.staysLocal(random.nextLong())) {
                    local++;
                }
                if (picker.pick(random.nextLong()).endpoint().zone().equals("a")) {
                    keyedLocal++;
                }
            }
            double fiveSigma = 5 * Math.sqrt(draws * share * (1 - share));
            String seed = "seed=" + SEED + " (replay with -Dnetkit.seed=" + SEED + ")";
            assertThat(Math.abs(local - draws * share)).as("%d of %d healthy, %s", healthy, members, seed)
                    .isLessThanOrEqualTo(fiveSigma);
            assertThat(Math.abs(keyedLocal - draws * share)).as("keyed, %d of %d healthy, %s", healthy, members, seed)
                    .isLessThanOrEqualTo(fiveSigma);
        }
    }

    @Test
    void withNoHealthyLocalEndpointEverythingGoesRemote() {
        ZoneAwarePicker picker = ZoneAwarePicker.create("a", zones(0, 3), 4, Strategy.WEIGHTED_RANDOM);
        assertThat(picker.localShare()).isZero();
        assertThat(localPicks(picker, 10_000)).isZero();
        assertThat(ZoneAwarePicker.create("c", zones(2, 2), 0, Strategy.ROUND_ROBIN).localShare())
                .as("a zone with no members at all").isZero();
    }

    @Test
    void withNoRemoteEndpointEverythingStaysLocalHoweverFewAreHealthy() {
        ZoneAwarePicker picker = ZoneAwarePicker.create("a", zones(1, 0), 10, Strategy.ROUND_ROBIN);
        assertThat(picker.localShare()).isEqualTo(1.0);
        assertThat(localPicks(picker, 10_000)).isEqualTo(10_000);
    }

    @Test
    void aKeyStaysOnOneEndpoint() {
        ZoneAwarePicker picker = ZoneAwarePicker.create("a", zones(3, 5), 6, Strategy.RING_HASH);
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < 10_000; i++) {
            long key = random.nextLong();
            assertThat(picker.pick(key)).isSameAs(picker.pick(key));
        }
    }

    @Test
    void anOverloadedLocalPickSpillsToALessLoadedRemoteOne() {
        List<EndpointState> list = zones(1, 1);
        EndpointState local = list.get(0);
        EndpointState remote = list.get(1);
        ZoneAwarePicker spilling = ZoneAwarePicker.create("a", list, 1, Strategy.ROUND_ROBIN, PickerOptions.defaults(), 5);
        ZoneAwarePicker disabled = ZoneAwarePicker.create("a", list, 1, Strategy.ROUND_ROBIN, PickerOptions.defaults(), 0);
        for (int i = 0; i < 4; i++) {
            local.started();
        }
        assertThat(spilling.pick()).as("4 outstanding, below the threshold").isSameAs(local);
        local.started();
        assertThat(spilling.pick()).as("5 outstanding: spills").isSameAs(remote);
        assertThat(spilling.pick(HashKeys.of("k"))).as("keyed picks too").isSameAs(remote);
        assertThat(disabled.pick()).as("threshold 0: never spills").isSameAs(local);
        for (int i = 0; i < 5; i++) {
            remote.started();
        }
        assertThat(spilling.pick()).as("remote as loaded: stays").isSameAs(local);
    }

    @Test
    void invalidArgumentsAreRefusedNamingTheLimit() {
        assertThatThrownBy(() -> ZoneAwarePicker.create("a", zones(3, 1), 2, Strategy.ROUND_ROBIN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("localMembers: 2 (expected: >= the 3 healthy endpoints in zone 'a')");
        assertThatThrownBy(() -> ZoneAwarePicker.create("a", zones(1, 1), 1, Strategy.ROUND_ROBIN, PickerOptions.defaults(), -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("overloadThreshold: -1 (expected: >= 0; 0 disables it)");
        assertThatThrownBy(() -> ZoneAwarePicker.create("a", List.of(), 3, Strategy.ROUND_ROBIN))
                .isInstanceOf(NoEndpointsException.class)
                .hasMessageContaining("no healthy endpoints");
    }
}
