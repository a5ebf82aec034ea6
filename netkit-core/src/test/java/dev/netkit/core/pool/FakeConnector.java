package dev.netkit.core.pool;

import dev.netkit.core.endpoint.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link Connector} for deterministic pool tests: dials complete at once (or are
 * held until the test completes them), and the test can "close from the peer" any connection.
 */
final class FakeConnector implements Connector<FakeConnector.Conn> {
    /** A fake connection. */
    static final class Conn {
        final int id;
        volatile boolean open = true;
        volatile boolean closedByPool;
        Runnable onClosed;

        Conn(int id) {
            this.id = id;
        }

        /** The peer closes it: the pool is told. */
        void closeFromPeer() {
            open = false;
            onClosed.run();
        }

        @Override
        public String toString() {
            return "conn" + id;
        }
    }

    final AtomicInteger dials = new AtomicInteger();
    final List<Conn> created = new ArrayList<>();
    final List<CompletableFuture<Conn>> held = new ArrayList<>();
    volatile boolean hold;
    volatile RuntimeException refuse;

    @Override
    public synchronized CompletionStage<Conn> connect(Endpoint endpoint, Runnable onClosed) {
        dials.incrementAndGet();
        if (refuse != null) {
            return CompletableFuture.failedFuture(refuse);
        }
        Conn c = new Conn(created.size() + 1);
        c.onClosed = onClosed;
        created.add(c);
        if (hold) {
            CompletableFuture<Conn> f = new CompletableFuture<>();
            held.add(f);
            return f;
        }
        return CompletableFuture.completedFuture(c);
    }

    /** Completes every held dial with its connection. */
    synchronized void completeHeld() {
        for (int i = 0; i < held.size(); i++) {
            held.get(i).complete(created.get(created.size() - held.size() + i));
        }
        held.clear();
    }

    @Override
    public boolean isUsable(Conn connection) {
        return connection.open;
    }

    @Override
    public void close(Conn connection) {
        connection.open = false;
        connection.closedByPool = true;
    }

    synchronized long openCount() {
        return created.stream().filter(c -> c.open).count();
    }
}
