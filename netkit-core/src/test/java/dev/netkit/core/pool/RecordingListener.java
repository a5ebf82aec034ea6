package dev.netkit.core.pool;

import dev.netkit.core.endpoint.Endpoint;
import dev.netkit.core.error.NetkitException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link PoolListener} that records every call, for assertions. Thread-safe. */
final class RecordingListener implements PoolListener {
    final AtomicInteger opened = new AtomicInteger();
    final List<CloseReason> closed = new CopyOnWriteArrayList<>();
    final List<Throwable> dialFailures = new CopyOnWriteArrayList<>();
    final List<NetkitException> acquireFailures = new CopyOnWriteArrayList<>();
    final List<Throwable> leaks = new CopyOnWriteArrayList<>();
    final List<Endpoint> endpoints = new CopyOnWriteArrayList<>();
    /** Runs after each {@link #connectionOpened} is recorded. */
    volatile Runnable afterOpened;

    @Override
    public void connectionOpened(Endpoint endpoint) {
        endpoints.add(endpoint);
        opened.incrementAndGet();
        Runnable hook = afterOpened;
        if (hook != null) {
            hook.run();
        }
    }

    @Override
    public void connectionClosed(Endpoint endpoint, CloseReason reason) {
        endpoints.add(endpoint);
        closed.add(reason);
    }

    @Override
    public void dialFailed(Endpoint endpoint, Throwable cause) {
        endpoints.add(endpoint);
        dialFailures.add(cause);
    }

    @Override
    public void acquireFailed(Endpoint endpoint, NetkitException failure) {
        endpoints.add(endpoint);
        acquireFailures.add(failure);
    }

    @Override
    public void leakSuspected(Endpoint endpoint, Throwable acquiredAt) {
        endpoints.add(endpoint);
        leaks.add(acquiredAt);
    }

    long closedFor(CloseReason reason) {
        return closed.stream().filter(r -> r == reason).count();
    }
}
