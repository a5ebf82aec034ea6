package dev.netkit.netty.internal.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netkit.core.limit.RateLimit;
import dev.netkit.core.time.ManualTicker;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The per-client table on an injected clock: sharing, pinning, forgetting and its bound. */
class ClientBucketsTest {
    private final ManualTicker ticker = new ManualTicker();
    private final ClientBuckets table = new ClientBuckets(new RateLimit("requests/s per client", 1, 5), null, 2, ticker);

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void connectionsOfOneAddressShareABucketAndOtherAddressesDoNot() throws Exception {
        ClientBuckets.Entry a1 = table.pin(ip("127.0.0.1"));
        ClientBuckets.Entry a2 = table.pin(ip("127.0.0.1"));
        ClientBuckets.Entry b = table.pin(ip("127.0.0.2"));
        assertThat(a2).isSameAs(a1);
        assertThat(b).isNotSameAs(a1);
        assertThat(a1.requests.tryAcquire(5)).isTrue();
        assertThat(a2.requests.tryAcquire(1)).as("the second connection sees the first one's spending").isFalse();
        assertThat(b.requests.tryAcquire(5)).isTrue();
        assertThat(a1.bytes).as("no bytes limit configured").isNull();
    }

    @Test
    void anAddressIsKeptWhilePinnedAndUntilItsBucketRefills() throws Exception {
        ClientBuckets.Entry a = table.pin(ip("127.0.0.1"));
        a.requests.tryAcquire(5);
        ticker.advance(Duration.ofSeconds(10)); // full again, but a connection is open
        table.pin(ip("127.0.0.3"));             // the sweep runs: a is pinned, stays
        assertThat(table.pin(ip("127.0.0.1"))).isSameAs(a);
        table.unpin(ip("127.0.0.1"), a);
        table.unpin(ip("127.0.0.1"), a);
        a.requests.tryAcquire(5);               // drained and unpinned: still remembered
        ticker.advance(Duration.ofSeconds(2)); // 2 of 5 tokens back: the sweep keeps it
        ClientBuckets.Entry reconnected = table.pin(ip("127.0.0.1"));
        assertThat(reconnected).as("reconnecting before the bucket refilled finds the same bucket").isSameAs(a);
        table.unpin(ip("127.0.0.1"), reconnected);
        ticker.advance(Duration.ofSeconds(4)); // now full and unpinned: forgotten at the next sweep
        ClientBuckets.Entry d = table.pin(ip("127.0.0.4"));
        assertThat(d).as("a's slot was freed (bound 2)").isNotNull();
        assertThat(table.size()).isEqualTo(2);
        table.unpin(ip("127.0.0.4"), d);
        ClientBuckets.Entry fresh = table.pin(ip("127.0.0.1"));
        assertThat(fresh).as("a forgotten address starts again").isNotNull().isNotSameAs(a);
        assertThat(fresh.requests.available()).isEqualTo(5);
    }

    @Test
    void aNewAddressBeyondTheBoundIsRefusedWhileKnownOnesAreServed() throws Exception {
        ClientBuckets.Entry a = table.pin(ip("127.0.0.1"));
        table.pin(ip("127.0.0.2"));
        assertThat(table.pin(ip("127.0.0.3"))).as("two addresses pinned, bound 2").isNull();
        assertThat(table.pin(ip("127.0.0.1"))).isSameAs(a);
        assertThat(table.size()).isEqualTo(2);
        table.unpin(ip("127.0.0.1"), a);
        table.unpin(ip("127.0.0.1"), a); // unpinned and full: the refusal's sweep frees its slot
        assertThat(table.pin(ip("127.0.0.3"))).isNotNull();
    }
}
