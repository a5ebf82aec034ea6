package dev.netkit.netty.internal.tls;

import dev.netkit.core.time.Scheduler;
import dev.netkit.netty.tls.TlsSetupException;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design note. The material in use is one volatile reference, read by every new handshake on an
 * event loop; reload() (any thread: an admin call, SIGHUP, the file poller) builds a whole new set
 * first and swaps it in only if every file loaded, so a broken set changes nothing (the error
 * names the file; counted and logged). Connections keep the engine they started with: TLS needs
 * nothing from the set once a handshake is under way.
 *
 * Releasing the old set. OpenSSL contexts are reference counted (SslProvider.OPENSSL_REFCNT,
 * chosen over the finalizer-released OPENSSL so native memory is freed at a known time and the
 * leak detector checks it in tests). Every engine retains its context, so a handshake in progress
 * keeps the old context alive by itself; the only window is between an event loop reading
 * `current` and the engine's retain. Both happen within one event-loop task, so the old set is
 * released once every loop of the group has run a task queued after the swap (or at once when the
 * loops are gone).
 *
 * Reloads run one at a time (synchronized; they are rare and do file I/O, never on an event loop).
 * The poller, when enabled, checks the files' stamps every interval on the shared timer and reloads
 * on a virtual thread; a failed reload is not retried until the files change again.
 */
/** A reloadable TLS material of one server, broker or probe checker. Thread-safe. */
public final class ReloadableTls<M extends TlsMaterial> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReloadableTls.class);

    private final String owner;
    private final Supplier<M> loader;
    private final TlsCounters counters;
    private final EventLoopGroup loops;
    private final long pollNanos;
    private volatile M current;
    private FileStamps seen; // guarded by this
    private Scheduler.Cancellable poll; // guarded by this
    private boolean closed; // guarded by this

    /**
     * Loads the first set (throwing {@link TlsSetupException} if it cannot) and starts the poller
     * when {@code pollInterval} is positive.
     */
    public ReloadableTls(String owner, Supplier<M> loader, TlsCounters counters, EventLoopGroup loops, Duration pollInterval) {
        this.owner = owner;
        this.loader = loader;
        this.counters = counters;
        this.loops = loops;
        this.pollNanos = pollInterval.toNanos();
        this.current = loader.get();
        synchronized (this) {
            seen = FileStamps.of(current.files());
            schedulePoll();
        }
    }

    /** The set new handshakes use. */
    public M current() {
        return current;
    }

    /**
     * Loads the files again and, if all of them load, makes new handshakes use the new set.
     *
     * @throws TlsSetupException naming the file, when the new set is broken (the old one stays)
     */
    public synchronized M reload() {
        if (closed) {
            throw new IllegalStateException("TLS of " + owner + " is closed");
        }
        seen = FileStamps.of(current.files()); // before loading: a change while loading triggers another poll reload
        M next;
        try {
            next = loader.get();
        } catch (RuntimeException e) {
            counters.reloadFailures.increment();
            log.warn("TLS reload of {} rejected, the certificates in use stay: {}", owner, e.getMessage());
            throw e;
        }
        M old = current;
        current = next;
        counters.reloads.increment();
        log.info("TLS of {} reloaded from {}", owner, next.files());
        releaseAfterLoopsTurn(old);
        return next;
    }

    /** Stops the poller and releases the set once no event loop can be starting a handshake with it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (poll != null) {
            poll.cancel();
        }
        releaseAfterLoopsTurn(current);
    }

    private void schedulePoll() {
        if (pollNanos > 0 && !closed && !current.files().isEmpty()) {
            poll = Scheduler.shared().schedule(() -> Thread.ofVirtual().name("netkit-tls-reload").start(this::pollOnce), pollNanos);
        }
    }

    private void pollOnce() {
        boolean changed;
        synchronized (this) {
            if (closed) {
                return;
            }
            changed = !FileStamps.of(current.files()).equals(seen);
        }
        try {
            if (changed) {
                reload();
            }
        } catch (RuntimeException e) {
            // counted and logged by reload(); retried when the files change again
        } finally {
            synchronized (this) {
                schedulePoll();
            }
        }
    }

    private void releaseAfterLoopsTurn(M material) {
        List<EventExecutor> executors = new ArrayList<>();
        loops.forEach(executors::add);
        AtomicInteger left = new AtomicInteger(executors.size());
        Runnable turn = () -> {
            if (left.decrementAndGet() == 0) {
                material.release();
            }
        };
        if (executors.isEmpty()) {
            material.release();
        }
        for (EventExecutor e : executors) {
            try {
                e.execute(turn);
            } catch (RejectedExecutionException gone) {
                turn.run(); // that loop runs nothing any more
            }
        }
    }
}
