package dev.netkit.netty.internal.udp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** The per-thread source rate table: GCRA per source, a fixed size, eviction when full. */
class SourceRateTableTest {
    private static InetAddress ip(int i) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i});
    }

    @Test
    void aSourceGetsItsBurstThenItsRate() throws Exception {
        LoopCounters counters = new LoopCounters();
        SourceRateTable table = new SourceRateTable(64, 1000, 5, counters); // 1 ms apart, 5 at once
        long now = 1_000_000_000L;
        int admitted = 0;
        for (int i = 0; i < 20; i++) {
            admitted += table.check(ip(1), now) == SourceRateTable.ADMIT ? 1 : 0;
        }
        assertThat(admitted).isEqualTo(5);
        assertThat(table.check(ip(1), now)).isEqualTo(SourceRateTable.DROP);
        assertThat(table.check(ip(2), now)).as("another source has its own bucket").isEqualTo(SourceRateTable.ADMIT);
        assertThat(table.check(ip(1), now + 1_000_000)).isEqualTo(SourceRateTable.ADMIT); // one interval later
        assertThat(table.check(ip(1), now + 1_000_000)).isEqualTo(SourceRateTable.FIRST_DROP); // a new episode
    }

    @Test
    void aFullTableForgetsTheLeastRecentlySeenSourceAndNeverGrows() throws Exception {
        LoopCounters counters = new LoopCounters();
        SourceRateTable table = new SourceRateTable(16, 1, 1, counters);
        long now = 0;
        for (int i = 0; i < 10_000; i++) { // far more sources than slots
            assertThat(table.check(ip(i), now++)).isEqualTo(SourceRateTable.ADMIT);
        }
        assertThat(counters.get(LoopCounters.EVICTED)).isGreaterThanOrEqualTo(10_000 - 16);
        // The most recent source is still tracked: its second datagram at the same rate is limited.
        assertThat(table.check(ip(9_999), now)).isEqualTo(SourceRateTable.FIRST_DROP);
    }

    @Test
    void equalAddressesFromDifferentObjectsShareOneEntry() throws Exception {
        SourceRateTable table = new SourceRateTable(16, 1, 1, new LoopCounters());
        assertThat(table.check(InetAddress.getByName("127.0.0.9"), 5)).isEqualTo(SourceRateTable.ADMIT);
        assertThat(table.check(InetAddress.getByName("127.0.0.9"), 5)).isEqualTo(SourceRateTable.FIRST_DROP);
        assertThat(table.check(InetAddress.getByName("::1"), 5)).isEqualTo(SourceRateTable.ADMIT);
    }
}
