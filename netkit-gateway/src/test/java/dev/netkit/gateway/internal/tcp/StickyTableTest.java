package dev.netkit.gateway.internal.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.endpoint.Endpoint;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The sticky table on an explicit clock: open connections hold the affinity, the TTL runs from the last close, the bound holds cheaply. */
class StickyTableTest {
    private static final long SECOND = 1_000_000_000L;
    private static final Endpoint A = Endpoint.parse("10.0.0.1:7000");
    private static final Endpoint B = Endpoint.parse("10.0.0.2:7000");

    private static InetAddress client(int n) throws Exception {
        return InetAddress.getByAddress(new byte[] {10, 1, (byte) (n >> 8), (byte) n});
    }

    @Test
    void aConnectionOpenLongerThanTheTtlKeepsTheAffinityAndTheTtlRunsFromItsClose() throws Exception {
        StickyTable table = new StickyTable(10 * SECOND, 100);
        InetAddress c = client(1);
        assertThat(table.opened(c, A, 0)).isTrue();
        assertThat(table.get(c, 60 * SECOND)).as("open for a minute, TTL 10 s: still sticks").isEqualTo(A);
        table.closed(c, A, 60 * SECOND);
        assertThat(table.get(c, 69 * SECOND)).isEqualTo(A);
        assertThat(table.get(c, 70 * SECOND)).as("10 s after the last close").isNull();
    }

    @Test
    void theTtlStartsWhenTheLastOfSeveralConnectionsCloses() throws Exception {
        StickyTable table = new StickyTable(10 * SECOND, 100);
        InetAddress c = client(2);
        table.opened(c, A, 0);
        table.opened(c, A, SECOND);
        table.closed(c, A, 2 * SECOND);
        assertThat(table.get(c, 30 * SECOND)).as("one connection still open").isEqualTo(A);
        table.closed(c, A, 30 * SECOND);
        assertThat(table.get(c, 39 * SECOND)).isEqualTo(A);
        assertThat(table.get(c, 40 * SECOND)).isNull();
    }

    @Test
    void aClientThatMovedIsNotPulledBackByAnOldConnectionClosing() throws Exception {
        StickyTable table = new StickyTable(10 * SECOND, 100);
        InetAddress c = client(3);
        table.opened(c, A, 0);
        table.opened(c, B, SECOND); // A left service; the client went to B
        table.closed(c, A, 2 * SECOND);
        assertThat(table.get(c, 100 * SECOND)).as("B still open").isEqualTo(B);
    }

    @Test
    void aFullTableRefusesNewClientsAndSweepsAtMostOnceASecond() throws Exception {
        StickyTable table = new StickyTable(10 * SECOND, 3);
        for (int i = 0; i < 3; i++) {
            table.opened(client(10 + i), A, 0);
            table.closed(client(10 + i), A, 0); // expire at 10 s
        }
        assertThat(table.opened(client(20), A, SECOND)).as("full of live entries").isFalse();
        assertThat(table.opened(client(21), A, 11 * SECOND)).as("expired ones swept").isTrue();
        for (int i = 0; i < 2; i++) {
            table.opened(client(30 + i), A, 11 * SECOND);
        }
        table.closed(client(21), A, 11 * SECOND);
        assertThat(table.opened(client(40), A, 30 * SECOND)).as("a sweep of the expired 21").isTrue();
        assertThat(table.size()).isEqualTo(3);
        assertThat(table.opened(client(41), A, 30 * SECOND + 1)).as("full again; no second sweep within a second").isFalse();
    }
}
