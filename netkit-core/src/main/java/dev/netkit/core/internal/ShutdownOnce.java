package dev.netkit.core.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a component's shutdown exactly once, on its own thread, however many callers race to
 * stop it; every caller gets the same future. Thread-safe. Internal: may change at any time.
 */
public final class ShutdownOnce {
    /** A shutdown step that may block and throw. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    private final String threadName;
    private final AtomicReference<CompletableFuture<Void>> done = new AtomicReference<>();

    public ShutdownOnce(String threadName) {
        this.threadName = threadName;
    }

    /** Whether shutdown has been requested. */
    public boolean requested() {
        return done.get() != null;
    }

    /** Starts {@code action} on the first call; returns the future of that one run. */
    public CompletableFuture<Void> run(Action action) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        if (!done.compareAndSet(null, future)) {
            return done.get();
        }
        Thread.ofPlatform().daemon().name(threadName).start(() -> {
            try {
                action.run();
                future.complete(null);
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        });
        return future;
    }
}
