package dev.netkit.core.pool;

import dev.netkit.core.endpoint.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An in-memory {@link Connector} for deterministic pool tests: dials complete at once (or are
 * held until the test completes or fails them), dials can be refused, and the test can "close
 * from the peer" any connection. Thread-safe, so the randomized test can share one.
 */
final class FakeConnector implements Connector<FakeConnector.Conn> {
    /** A fake connection. */
    static final class Conn {
        final int id;
        volatile boolean open = true;
        volatile boolean closedByPool;
        volatile boolean closedByPeer;
        /** When set, the connector's cheap check throws this for the connection (a broken connector). */
        volatile RuntimeException checkThrows;
        /** How often the pool called {@link FakeConnector#close}: must end at 0 or 1 (idempotent, but the pool closes once). */
        final AtomicInteger closeCalls = new AtomicInteger();
        /** Lease holders right now; tests use it to prove exclusivity. */
        final AtomicInteger holders = new AtomicInteger();
        final Runnable onClosed;

        Conn(int id, Runnable onClosed) {
            this.id = id;
            this.onClosed = onClosed;
        }

        /** The peer closes it: the pool is told through the connector's callback. */
        void closeFromPeer() {
            open = false;
            closedByPeer = true;
            onClosed.run();
        }

        /** The peer closes it but the connector does not notice (no callback): only the cheap check sees it. */
        void dieSilently() {
            open = false;
            closedByPeer = true;
        }

        @Override
        public String toString() {
            return "conn" + id;
        }
    }

    private record Pending(Conn conn, CompletableFuture<Conn> future) {}

    final AtomicInteger dials = new AtomicInteger();
    private final List<Conn> created = new ArrayList<>();
    private final List<Pending> held = new ArrayList<>();
    /** Dials stay pending until {@link #completeHeld()} or {@link #failHeld}. */
    volatile boolean hold;
    /** When set, dials fail with it at once. */
    volatile RuntimeException refuse;
    /** Runs on each new connection before the dial completes (for example to close it from the peer). */
    volatile Consumer<Conn> beforeDelivery;
    /** Runs when the pool closes a connection, before it is marked closed: "another thread acts meanwhile". */
    volatile Consumer<Conn> duringClose;
    /** The most connections ever open (delivered or being dialled) when a dial started. */
    volatile int maxOpenAtConnect;

    @Override
    public CompletionStage<Conn> connect(Endpoint endpoint, Runnable onClosed) {
        dials.incrementAndGet();
        RuntimeException refusal = refuse;
        if (refusal != null) {
            return CompletableFuture.failedFuture(refusal);
        }
        Conn c;
        CompletableFuture<Conn> f = new CompletableFuture<>();
        synchronized (this) {
            c = new Conn(created.size() + 1, onClosed);
            created.add(c);
            maxOpenAtConnect = Math.max(maxOpenAtConnect, (int) created.stream().filter(x -> x.open).count());
            if (hold) {
                held.add(new Pending(c, f));
                return f;
            }
        }
        Consumer<Conn> hook = beforeDelivery;
        if (hook != null) {
            hook.accept(c);
        }
        f.complete(c);
        return f;
    }

    /** Completes every dial held so far with its connection (outside the connector's lock). */
    void completeHeld() {
        for (Pending p : takeHeld()) {
            p.future.complete(p.conn);
        }
    }

    /** Fails every dial held so far; their connections never opened. */
    void failHeld(Throwable error) {
        for (Pending p : takeHeld()) {
            p.conn.open = false;
            p.future.completeExceptionally(error);
        }
    }

    private synchronized List<Pending> takeHeld() {
        List<Pending> taken = new ArrayList<>(held);
        held.clear();
        return taken;
    }

    synchronized int heldCount() {
        return held.size();
    }

    /** Every connection created so far, in order. */
    synchronized List<Conn> created() {
        return new ArrayList<>(created);
    }

    /** The {@code n}-th connection created (1-based, as its id). */
    synchronized Conn conn(int id) {
        return created.get(id - 1);
    }

    @Override
    public boolean isUsable(Conn connection) {
        RuntimeException broken = connection.checkThrows;
        if (broken != null) {
            throw broken;
        }
        return connection.open;
    }

    @Override
    public void close(Conn connection) {
        Consumer<Conn> hook = duringClose;
        if (hook != null) {
            hook.accept(connection);
        }
        connection.closeCalls.incrementAndGet();
        connection.open = false;
        connection.closedByPool = true;
    }

    /** Connections delivered or being delivered that are still open. */
    synchronized long openCount() {
        return created.stream().filter(c -> c.open).count();
    }
}
